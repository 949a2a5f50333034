#!/bin/bash
# plot.sh BENCH.CSV OUT.PNG: PKRAM cost (save + finalize + reserve +
# validate + load) and the copy baseline, in ms, against the size, one
# panel per layout, log scale (PKRAM is orders of magnitude below copying
# for large folios). Single-threaded rows only.
set -eu
csv=$1; png=$2
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
layouts=$(awk -F, 'NR > 1 { print $2 }' "$csv" | awk '!seen[$0]++')
for l in $layouts; do
	awk -F, -v l="$l" '
	function v(x) { return (x == "" || x == "n/a") ? 0 : x }
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["layout"] == l && (!("threads" in c) || $c["threads"] == 1) {
		tot = v($c["save_ns"]) + $c["finalize_us"] * 1000 + v($c["reserve_us"]) * 1000
		tot += $c["validate_us"] * 1000 + v($c["load_ns"])
		print $c["size_mb"], tot / 1e6, v($c["copy_ns"]) / 1e6
	}' "$csv" | sort -n >"$dir/$l.dat"
done
n=$(echo "$layouts" | wc -w)
{
	echo "set terminal png size $((480 * n)),480 noenhanced"
	echo "set output '$png'"
	echo "set multiplot layout 1,$n title 'PKRAM cost vs copying the same memory (QEMU TCG)'"
	echo "set xlabel 'preserved MiB'; set ylabel 'ms'; set key top left; set grid; set logscale y"
	for l in $layouts; do
		echo "set title '$l'"
		echo "plot '$dir/$l.dat' using 1:2 with linespoints title 'PKRAM total', '$dir/$l.dat' using 1:3 with linespoints title 'copy'"
	done
	echo "unset multiplot"
} >"$dir/plot.gp"
gnuplot "$dir/plot.gp"
