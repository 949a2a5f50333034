#!/bin/bash
# plot.sh BENCH.CSV OUT.PNG: what each phase of PKRAM costs (save,
# finalize, early reservation, validation, load) and their total, against
# the copy baseline of the same memory (the median of its runs, with a bar
# from the fastest to the slowest; and its first, cold run, into memory the
# guest had not written before), in ms against the preserved size, one
# panel per layout, log scale (PKRAM is orders of magnitude below copying
# for large folios). Single-threaded rows of a non-zero size only.
set -eu
csv=$1; png=$2
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
layouts=$(awk -F, 'NR > 1 && $1 > 0 { print $2 }' "$csv" | awk '!seen[$0]++')
[ -n "$layouts" ] || { echo "plot: no rows of a non-zero size in $csv" >&2; exit 0; }
for l in $layouts; do
	# size save finalize reserve validate load total copy copy_min copy_max
	# copy_cold
	awk -F, -v l="$l" '
	function v(x) { return (x == "" || x == "n/a") ? 0 : x }
	function ms(ns) { return ns > 0 ? ns / 1e6 : "NaN" }
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["layout"] == l && $c["size_mb"] > 0 &&
	(!("threads" in c) || $c["threads"] == 1) {
		save = v($c["save_ns"]); fin = $c["finalize_us"] * 1000
		res = v($c["reserve_us"]) * 1000; val = $c["validate_us"] * 1000
		load = v($c["load_ns"]); copy = v($c["copy_ns"])
		cmin = ("copy_min_ns" in c) ? v($c["copy_min_ns"]) : copy
		cmax = ("copy_max_ns" in c) ? v($c["copy_max_ns"]) : copy
		cold = ("copy_cold_ns" in c) ? v($c["copy_cold_ns"]) : 0
		print $c["size_mb"], ms(save), ms(fin), ms(res), ms(val), ms(load),
			ms(save + fin + res + val + load), ms(copy), ms(cmin ? cmin : copy),
			ms(cmax ? cmax : copy), ms(cold)
	}' "$csv" | sort -n >"$dir/$l.dat"
done
n=$(echo "$layouts" | wc -w)
sizes=$(awk -F, 'NR > 1 && $1 > 0 { print $1 }' "$csv" | sort -nu | paste -sd, -)
{
	echo "set terminal png size $((560 * n)),660 noenhanced font ',10'"
	echo "set output '$png'"
	echo "set multiplot layout 1,$n title 'PKRAM phases vs copying the same memory (QEMU TCG; copy: median, bar from fastest to slowest run)'"
	echo "set xlabel 'preserved MiB'; set ylabel 'ms (log scale)'; set key below maxrows 3"
	echo "set grid; set logscale xy; set format y '%g'; set xtics ($sizes)"
	echo "set datafile missing 'NaN'"
	for l in $layouts; do
		f="'$dir/$l.dat'"
		echo "set title '$l'"
		echo "plot $f using 1:8:9:10 with yerrorlines lw 2 title 'copy', \\"
		echo "  $f using 1:11 with linespoints dt 3 title 'copy, cold', \\"
		echo "  $f using 1:7 with linespoints lw 2 title 'PKRAM total', \\"
		echo "  $f using 1:2 with linespoints dt 2 title 'save', \\"
		echo "  $f using 1:3 with linespoints dt 2 title 'finalize', \\"
		echo "  $f using 1:4 with linespoints dt 2 title 'reserve', \\"
		echo "  $f using 1:5 with linespoints dt 2 title 'validate', \\"
		echo "  $f using 1:6 with linespoints dt 2 title 'load'"
	done
	echo "unset multiplot"
} >"$dir/plot.gp"
gnuplot "$dir/plot.gp"
