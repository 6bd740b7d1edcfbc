# codessm figure 'pretraining_curves' (written by codessm report/figure; data in pretraining_curves.dat).
# Regenerate both images with: gnuplot pretraining_curves.gp
reset
set terminal svg size 1100,420 noenhanced font "Sans,11" background rgb "white"
set output "pretraining_curves.svg"
set multiplot layout 1,2 title "Pretraining (same tokens, same order)" font ",13"
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
set title "held-out masked-token accuracy"
set xlabel "tokens seen (millions)"
set ylabel "accuracy"
set key bottom right opaque box
set grid
plot "pretraining_curves.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm", \
     "pretraining_curves.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-8kernel", \
     "pretraining_curves.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-hf", \
     "pretraining_curves.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder"
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
set title "held-out MLM loss"
set xlabel "tokens seen (millions)"
set ylabel "loss"
set key top right opaque box
set grid
plot "pretraining_curves.dat" index 4 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm", \
     "pretraining_curves.dat" index 5 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-8kernel", \
     "pretraining_curves.dat" index 6 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-hf", \
     "pretraining_curves.dat" index 7 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder"
unset multiplot
unset output
reset
set terminal pngcairo size 1100,420 noenhanced font "Sans,10" background rgb "white"
set output "pretraining_curves.png"
set multiplot layout 1,2 title "Pretraining (same tokens, same order)" font ",13"
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
set title "held-out masked-token accuracy"
set xlabel "tokens seen (millions)"
set ylabel "accuracy"
set key bottom right opaque box
set grid
plot "pretraining_curves.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm", \
     "pretraining_curves.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-8kernel", \
     "pretraining_curves.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-hf", \
     "pretraining_curves.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder"
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
set title "held-out MLM loss"
set xlabel "tokens seen (millions)"
set ylabel "loss"
set key top right opaque box
set grid
plot "pretraining_curves.dat" index 4 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm", \
     "pretraining_curves.dat" index 5 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-8kernel", \
     "pretraining_curves.dat" index 6 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-hf", \
     "pretraining_curves.dat" index 7 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder"
unset multiplot
unset output
