"""Draws the captls/OpenSSL ratios of a bench CSV as an SVG bar chart
(no plotting library needed). Usage: bench_plot.py RESULTS.csv OUT.svg"""
import csv
import sys


def main(src, dst):
    rows = [r for r in csv.DictReader(open(src)) if r["ratio"] not in ("-", "")]
    width, bar, gap, left = 640, 22, 10, 220
    height = 40 + len(rows) * (bar + gap)
    top = max([float(r["ratio"]) for r in rows] + [1.0])
    scale = (width - left - 60) / top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="10" y="18" font-weight="bold">captls / OpenSSL speed (1.0 = parity, higher is faster)</text>']
    x1 = left + scale
    out.append(f'<line x1="{x1:.0f}" y1="26" x2="{x1:.0f}" y2="{height - 4}" stroke="#888" stroke-dasharray="4"/>')
    for i, r in enumerate(rows):
        y = 30 + i * (bar + gap)
        v = float(r["ratio"])
        color = "#2a7" if v >= 1 else "#c53"
        out.append(f'<text x="10" y="{y + 15}">{r["case"]}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{v * scale:.1f}" height="{bar}" fill="{color}"/>')
        out.append(f'<text x="{left + v * scale + 4:.1f}" y="{y + 15}">{v:.2f}x</text>')
    out.append("</svg>")
    open(dst, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: bench_plot.py RESULTS.csv OUT.svg")
    main(sys.argv[1], sys.argv[2])
