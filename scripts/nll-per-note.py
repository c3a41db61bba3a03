# Validation NLL per note against wall-clock minutes, from a training-log.csv.
# per note = per token x (predicted validation tokens / validation notes), both from `cadenza stats`.
import csv, sys
log, preds, notes = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
k = preds / notes
print("| epoch | minutes | tokens seen | val NLL/token | val NLL/note |\n| ---: | ---: | ---: | ---: | ---: |")
for r in csv.DictReader(open(log)):
    if r["kind"] in ("val", "validation"):
        print(f"| {r['epoch']} | {float(r['seconds'])/60:.1f} | {r['tokens_seen']} | {float(r['loss']):.4f} | {float(r['loss'])*k:.3f} |")
