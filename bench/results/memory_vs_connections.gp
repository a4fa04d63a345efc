set terminal png size 900,520
set output 'memory_vs_connections.png'
set title 'idle WebSocket connections: server RSS (medians)'
set xlabel 'connections'
set ylabel 'server RSS (MB)'
set grid
set key top left
set yrange [0:*]
plot 'memory_vs_connections.dat' using 1:2 with linespoints title 'sio', \
     'memory_vs_connections.dat' using 1:3 with linespoints title 'Node'
