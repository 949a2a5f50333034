#!/bin/bash
# table.sh BENCH.CSV: the bench table (times in ms). total = save + finalize
# + early reservation + validation + load; ratio = total / copy (the copy
# baseline copies the same pages, page by page, in the same guest; copy is
# the median of its warm runs, spread (max - min) / median of them, and the
# ratio's range over the fastest and slowest run is ratio_lo..ratio_hi;
# cold is its first run, into pages the guest had not written before).
# meta/GiB: metadata pages at kexec (meta_total) per GiB preserved.
# Then, for each row saved and loaded with several threads, its save and
# load speedup over the single-threaded row of the same size and layout.
awk -F, '
function ms(ns) { return ns == "" ? "-" : sprintf("%.2f", ns / 1e6) }
function v(x) { return (x == "" || x == "n/a") ? 0 : x }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
	printf "%7s %-9s %3s %9s %9s %9s %9s %9s %9s %9s %7s %7s %13s %9s %9s %9s\n", "size_MB", "layout",
		"thr", "save", "finalize", "reserve", "validate", "load", "PKRAM", "copy", "spread",
		"ratio", "ratio_lo..hi", "cold", "meta/GiB", "downtime"
	next }
{
	save = $c["save_ns"]; fin = $c["finalize_us"] * 1000; res = $c["reserve_us"]
	val = $c["validate_us"] * 1000; load = $c["load_ns"]; copy = $c["copy_ns"]
	tot = v(save) + fin + v(res) * 1000 + val + v(load)
	gib = $c["size_mb"] / 1024
	rs = "n/a"; if (res != "n/a" && res != "") rs = ms(res * 1000)
	ratio = "-"; if (copy > 0 && gib > 0) ratio = sprintf("%.3f", tot / copy)
	cmin = ("copy_min_ns" in c) ? $c["copy_min_ns"] : ""; cmax = ("copy_max_ns" in c) ? $c["copy_max_ns"] : ""
	spread = "-"; rr = "-"
	if (cmin > 0 && cmax > 0 && copy > 0 && gib > 0) {
		spread = sprintf("%.0f%%", (cmax - cmin) * 100 / copy)
		rr = sprintf("%.3f..%.3f", tot / cmax, tot / cmin)
	}
	mg = "-"; if (gib > 0) mg = sprintf("%.1f", $c["meta_total"] / gib)
	down = $c["downtime_ms"]; if (down == "") down = "-"
	thr = $c["threads"]
	cold = ("copy_cold_ns" in c) ? $c["copy_cold_ns"] : ""
	printf "%7s %-9s %3s %9s %9s %9s %9s %9s %9s %9s %7s %7s %13s %9s %9s %9s\n", $c["size_mb"], $c["layout"],
		thr, ms(save), ms(fin), rs, ms(val), ms(load), ms(tot), ms(copy), spread, ratio, rr, ms(cold), mg, down
	key = $c["size_mb"] " " $c["layout"]
	if (thr == 1) { s1[key] = save; l1[key] = load }
	else { n++; mk[n] = key; mt[n] = thr; ms_[n] = save; ml[n] = load }
}
END {
	if (!n) exit
	printf "\n%7s %-9s %3s %13s %13s\n", "size_MB", "layout", "thr", "save_speedup", "load_speedup"
	for (i = 1; i <= n; i++) {
		split(mk[i], k, " ")
		ss = (mk[i] in s1 && ms_[i] > 0) ? sprintf("%.2fx", s1[mk[i]] / ms_[i]) : "-"
		ls = (mk[i] in l1 && ml[i] > 0) ? sprintf("%.2fx", l1[mk[i]] / ml[i]) : "-"
		printf "%7s %-9s %3s %13s %13s\n", k[1], k[2], mt[i], ss, ls
	}
}' "$1"
