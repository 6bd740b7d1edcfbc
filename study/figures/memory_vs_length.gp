# codessm figure 'memory_vs_length' (written by codessm report/figure; data in memory_vs_length.dat).
# Regenerate both images with: gnuplot memory_vs_length.gp
reset
set terminal svg size 900,600 noenhanced font "Sans,11" background rgb "white"
set output "memory_vs_length.svg"
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
set title "peak memory against sequence length (forward)"
set xlabel "sequence length"
set ylabel "peak memory (GiB)"
set key top left opaque box
set grid
set logscale y
set xtics ("512" 0, "1024" 1, "2048" 2, "4096" 3, "8192" 4)
plot "memory_vs_length.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "bertcoder-base bertcoder_bf16 (s = 1.00)", \
     "memory_vs_length.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-base base_bf16 (s = 1.00)", \
     "memory_vs_length.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder-base rocoder_bf16_math (s = 1.95)", \
     "memory_vs_length.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder-base rocoder_bf16 (s = 1.00)"
unset output
reset
set terminal pngcairo size 900,600 noenhanced font "Sans,10" background rgb "white"
set output "memory_vs_length.png"
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
set title "peak memory against sequence length (forward)"
set xlabel "sequence length"
set ylabel "peak memory (GiB)"
set key top left opaque box
set grid
set logscale y
set xtics ("512" 0, "1024" 1, "2048" 2, "4096" 3, "8192" 4)
plot "memory_vs_length.dat" index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "bertcoder-base bertcoder_bf16 (s = 1.00)", \
     "memory_vs_length.dat" index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "codessm-base base_bf16 (s = 1.00)", \
     "memory_vs_length.dat" index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder-base rocoder_bf16_math (s = 1.95)", \
     "memory_vs_length.dat" index 3 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 title "rocoder-base rocoder_bf16 (s = 1.00)"
unset output
