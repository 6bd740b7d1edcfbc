# codessm figure 'extrapolation' (written by codessm report/figure; data in extrapolation.dat).
# Regenerate both images with: gnuplot extrapolation.gp
reset
set terminal svg size 1000,420 noenhanced font "Sans,11" background rgb "white"
set output "extrapolation.svg"
set multiplot layout 1,2 title "Length extrapolation" font ",13"
unset title
unset xlabel
unset ylabel
unset logscale
unset arrow
unset label
unset grid
set autoscale
set xtics autofreq
set ytics autofreq
set tics scale default
set key default
set title "fine-tuned, evaluated at the same length"
set xlabel "context length (tokens)"
set ylabel "test f1"
set key bottom left opaque box
set grid
set xtics ("256" 0, "1024" 1, "2048" 2)
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead dt 2 lc rgb "#808080"
set label 1 "pretrained at 256" at first 0, graph 0.04 left offset 0.5,0 tc rgb "#808080"
plot "extrapolation.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "codessm", \
     "extrapolation.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "rocoder"
unset title
unset xlabel
unset ylabel
unset logscale
unset arrow
unset label
unset grid
set autoscale
set xtics autofreq
set ytics autofreq
set tics scale default
set key default
set title "zero-shot masked-token accuracy"
set xlabel "context length (tokens)"
set ylabel "accuracy"
set key bottom left opaque box
set grid
set xtics ("256" 0, "1024" 1, "2048" 2)
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead dt 2 lc rgb "#808080"
set label 1 "pretrained at 256" at first 0, graph 0.04 left offset 0.5,0 tc rgb "#808080"
plot "extrapolation.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "codessm", \
     "extrapolation.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "rocoder"
unset multiplot
unset output
reset
set terminal pngcairo size 1000,420 noenhanced font "Sans,10" background rgb "white"
set output "extrapolation.png"
set multiplot layout 1,2 title "Length extrapolation" font ",13"
unset title
unset xlabel
unset ylabel
unset logscale
unset arrow
unset label
unset grid
set autoscale
set xtics autofreq
set ytics autofreq
set tics scale default
set key default
set title "fine-tuned, evaluated at the same length"
set xlabel "context length (tokens)"
set ylabel "test f1"
set key bottom left opaque box
set grid
set xtics ("256" 0, "1024" 1, "2048" 2)
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead dt 2 lc rgb "#808080"
set label 1 "pretrained at 256" at first 0, graph 0.04 left offset 0.5,0 tc rgb "#808080"
plot "extrapolation.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "codessm", \
     "extrapolation.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "rocoder"
unset title
unset xlabel
unset ylabel
unset logscale
unset arrow
unset label
unset grid
set autoscale
set xtics autofreq
set ytics autofreq
set tics scale default
set key default
set title "zero-shot masked-token accuracy"
set xlabel "context length (tokens)"
set ylabel "accuracy"
set key bottom left opaque box
set grid
set xtics ("256" 0, "1024" 1, "2048" 2)
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead dt 2 lc rgb "#808080"
set label 1 "pretrained at 256" at first 0, graph 0.04 left offset 0.5,0 tc rgb "#808080"
plot "extrapolation.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "codessm", \
     "extrapolation.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 1 title "rocoder"
unset multiplot
unset output
