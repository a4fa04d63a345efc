set terminal png size 900,520
set output '/work/main/bench/results/memory_vs_connections.png'
set title 'idle WebSocket connections: server RSS (medians)'
set xlabel 'connections'
set ylabel 'server RSS (MB)'
set grid
set key top left
set yrange [0:*]
plot '/work/main/bench/results/memory_vs_connections.dat' using 1:2 with linespoints title 'sio', \
     '/work/main/bench/results/memory_vs_connections.dat' using 1:3 with linespoints title 'Node'
