# codessm figure 'accuracy_by_layer_siblings' (written by codessm report/figure; data in accuracy_by_layer_siblings.dat).
# Regenerate both images with: gnuplot accuracy_by_layer_siblings.gp
reset
set terminal svg size 900,600 noenhanced font "Sans,11" background rgb "white"
set output "accuracy_by_layer_siblings.svg"
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
set title "siblings: DirectProbe accuracy per layer"
set xlabel "layer (0 = embeddings)"
set ylabel "mean accuracy over labels"
set key bottom right opaque box
set grid
set xrange [-0.25:6.25]
set yrange [0:1]
set xtics ("0" 0, "1" 1, "2" 2, "3" 3, "4" 4, "5" 5, "6" 6)
plot "accuracy_by_layer_siblings.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "codessm (pretrained)", \
     "accuracy_by_layer_siblings.dat" index 1 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "codessm (types)", \
     "accuracy_by_layer_siblings.dat" index 2 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "rocoder (pretrained)", \
     "accuracy_by_layer_siblings.dat" index 3 using 1:2 with linespoints lw 1.5 pt 13 ps 1 lc rgb "#9467bd" title "rocoder (types)"
unset output
reset
set terminal pngcairo size 900,600 noenhanced font "Sans,10" background rgb "white"
set output "accuracy_by_layer_siblings.png"
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
set title "siblings: DirectProbe accuracy per layer"
set xlabel "layer (0 = embeddings)"
set ylabel "mean accuracy over labels"
set key bottom right opaque box
set grid
set xrange [-0.25:6.25]
set yrange [0:1]
set xtics ("0" 0, "1" 1, "2" 2, "3" 3, "4" 4, "5" 5, "6" 6)
plot "accuracy_by_layer_siblings.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 1 lc rgb "#1f77b4" title "codessm (pretrained)", \
     "accuracy_by_layer_siblings.dat" index 1 using 1:2 with linespoints lw 1.5 pt 9 ps 1 lc rgb "#d62728" title "codessm (types)", \
     "accuracy_by_layer_siblings.dat" index 2 using 1:2 with linespoints lw 1.5 pt 5 ps 1 lc rgb "#2ca02c" title "rocoder (pretrained)", \
     "accuracy_by_layer_siblings.dat" index 3 using 1:2 with linespoints lw 1.5 pt 13 ps 1 lc rgb "#9467bd" title "rocoder (types)"
unset output
