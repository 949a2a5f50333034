#!/bin/bash
# table.sh BENCH.CSV: the bench table (times in ms). total = save + finalize
# + early reservation + validation + load; ratio = total / copy (the copy
# baseline copies the same pages once, page by page, in the same guest).
# meta/GiB: metadata pages at kexec (meta_total) per GiB preserved.
awk -F, '
function ms(ns) { return ns == "" ? "-" : sprintf("%.2f", ns / 1e6) }
function v(x) { return (x == "" || x == "n/a") ? 0 : x }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
	printf "%7s %-9s %9s %9s %9s %9s %9s %9s %9s %7s %9s %9s\n", "size_MB", "layout",
		"save", "finalize", "reserve", "validate", "load", "PKRAM", "copy", "ratio",
		"meta/GiB", "downtime"
	next }
{
	save = $c["save_ns"]; fin = $c["finalize_us"] * 1000; res = $c["reserve_us"]
	val = $c["validate_us"] * 1000; load = $c["load_ns"]; copy = $c["copy_ns"]
	tot = v(save) + fin + v(res) * 1000 + val + v(load)
	gib = $c["size_mb"] / 1024
	rs = "n/a"; if (res != "n/a" && res != "") rs = ms(res * 1000)
	ratio = "-"; if (copy > 0 && gib > 0) ratio = sprintf("%.3f", tot / copy)
	mg = "-"; if (gib > 0) mg = sprintf("%.1f", $c["meta_total"] / gib)
	down = $c["downtime_ms"]; if (down == "") down = "-"
	printf "%7s %-9s %9s %9s %9s %9s %9s %9s %9s %7s %9s %9s\n", $c["size_mb"], $c["layout"],
		ms(save), ms(fin), rs, ms(val), ms(load), ms(tot), ms(copy), ratio, mg, down
}' "$1"
