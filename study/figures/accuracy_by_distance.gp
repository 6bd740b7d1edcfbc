# codessm figure 'accuracy_by_distance' (written by codessm report/figure; data in accuracy_by_distance.dat).
# Regenerate both images with: gnuplot accuracy_by_distance.gp
reset
set terminal svg size 1350,800 noenhanced font "Sans,11" background rgb "white"
set output "accuracy_by_distance.svg"
set multiplot layout 2,3
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
set title "codessm (pretrained): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 1 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 2 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
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
set title "codessm (types): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 4 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 5 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
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
set title "rocoder (pretrained): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 6 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 7 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 8 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
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
set title "rocoder (types): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 9 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 10 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 11 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
unset multiplot
unset output
reset
set terminal pngcairo size 1350,800 noenhanced font "Sans,10" background rgb "white"
set output "accuracy_by_distance.png"
set multiplot layout 2,3
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
set title "codessm (pretrained): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 1 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 2 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
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
set title "codessm (types): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 4 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 5 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
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
set title "rocoder (pretrained): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 6 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 7 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 8 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
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
set title "rocoder (types): accuracy by AST distance"
set xlabel "AST distance"
set ylabel "accuracy"
set key top right opaque box
set grid
set xrange [1.5:6.5]
set yrange [0:1]
plot "accuracy_by_distance.dat" index 9 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "layer 0", \
     "accuracy_by_distance.dat" index 10 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "layer 3", \
     "accuracy_by_distance.dat" index 11 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "layer 6"
unset multiplot
unset output
