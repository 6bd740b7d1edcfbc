# codessm figure 'complementarity' (written by codessm report/figure; data in complementarity.dat).
# Regenerate both images with: gnuplot complementarity.gp
reset
set terminal svg size 640,480 noenhanced font "Sans,11" background rgb "white"
set output "complementarity.svg"
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
set title "complementary layers vs probing accuracy (pretrained CodeSSM)"
set xlabel "|SC forward − SC backward| (cycles/sample)"
set ylabel "mean probe accuracy of the layer's output"
unset key
set grid
plot "complementarity.dat" index 0 using 1:2 with points pt 7 ps 1 title "layer"
unset output
reset
set terminal pngcairo size 640,480 noenhanced font "Sans,10" background rgb "white"
set output "complementarity.png"
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
set title "complementary layers vs probing accuracy (pretrained CodeSSM)"
set xlabel "|SC forward − SC backward| (cycles/sample)"
set ylabel "mean probe accuracy of the layer's output"
unset key
set grid
plot "complementarity.dat" index 0 using 1:2 with points pt 7 ps 1 title "layer"
unset output
