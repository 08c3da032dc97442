"""Extract the published ROC points of the ACDC paper (Conmy et al. 2023) into paper_roc_points.json.

Source: experiments/results/plots_data/*-0.json of ArthurConmy/Automatic-Circuit-Discovery at bc99ace8 (the data
behind the paper's ROC figures; '-0' is the trained network, 'False'/'True' random/zero ablation). Keeps only each
sweep's edge and node FPR/TPR, with the task and metric renamed to ours (metric 'kl' for KL divergence, 'loss' for the
task's own metric, as PaperTable2 keys them). Usage: python3 extract_paper_roc_points.py ACDC_GIT_DIR > OUT.json
"""
import json, math, subprocess, sys

git_dir = sys.argv[1]
names = subprocess.run(["git", "-C", git_dir, "ls-tree", "-r", "--name-only", "HEAD", "experiments/results/plots_data/"],
                       capture_output=True, text=True, check=True).stdout.split()
tasks = {"tracr-reverse": "tracr-reverse", "tracr-proportion": "tracr-proportion", "ioi": "ioi",
         "greaterthan": "greater-than", "docstring": "docstring"}
methods = {"ACDC": "acdc", "SP": "sp", "HISP": "hisp", "16H": "hisp"}
out = {}
for name in sorted(names):
    if not name.endswith("-0.json"):
        continue
    data = json.loads(subprocess.run(["git", "-C", git_dir, "show", "HEAD:" + name], capture_output=True, text=True,
                                     check=True).stdout)
    for ablation_key, by_task in data.get("trained", {}).items():
        ablation = {"random_ablation": "resample", "zero_ablation": "zero"}[ablation_key]
        for task, by_metric in by_task.items():
            for metric, by_method in by_metric.items():
                kind = "kl" if metric == "kl_div" else "loss"
                for method, series in by_method.items():
                    if method not in methods or "edge_fpr" not in series:
                        continue
                    key = "|".join([tasks[task], kind, ablation, methods[method]])
                    def clean(xs):
                        return [None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, 6) for x in xs]
                    out[key] = {"edge_fpr": clean(series["edge_fpr"]), "edge_tpr": clean(series["edge_tpr"]),
                                "node_fpr": clean(series["node_fpr"]), "node_tpr": clean(series["node_tpr"])}
json.dump({"source": "ArthurConmy/Automatic-Circuit-Discovery bc99ace8, experiments/results/plots_data (trained network)",
           "points": dict(sorted(out.items()))}, sys.stdout, indent=None, separators=(",", ":"))
print()
