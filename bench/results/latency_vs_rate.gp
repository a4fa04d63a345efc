set terminal png size 900,520
set output 'latency_vs_rate.png'
set title 'echo: latency from intended send vs offered rate (medians)'
set xlabel 'offered rate (acked echoes/s)'
set ylabel 'latency (ms)'
set logscale xy
set grid
set key top left
plot 'latency_vs_rate.dat' using 1:2 with linespoints title 'sio p50', \
     'latency_vs_rate.dat' using 1:3 with linespoints title 'sio p99', \
     'latency_vs_rate.dat' using 1:4 with linespoints title 'Node p50', \
     'latency_vs_rate.dat' using 1:5 with linespoints title 'Node p99', \
     10.0 with lines dashtype 2 title 'p99 target'
