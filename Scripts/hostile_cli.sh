#!/usr/bin/env bash
# Runs `lens` commands on malformed model folders, tokenizers, prompt files and checkpoints made here from the
# demo model. Each run must exit non-zero with a message on standard error, within 30 s, under `ulimit -v`
# 2 GiB, and open nothing outside the folder it was given (checked with strace when it is installed: a file
# outside every folder, `secret`, is the target of every escaping path and must never be opened).
# Usage: Scripts/hostile_cli.sh [path/to/lens]   (default: builds and uses the debug lens)
set -uo pipefail
cd "$(dirname "$0")/.."
lens=${1:-}
if [ -z "$lens" ]; then
    swift build --product lens >&2 || exit 1
    lens=$(swift build --show-bin-path)/lens
fi
lens=$(realpath "$lens")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
demo=Models/demo
secret=$work/secret
printf '{"model_type": "gpt2", "secret": true}' > "$secret"
failures=0 runs=0

# model NAME: a copy of the demo folder to corrupt.
model() { mkdir -p "$work/$1"; cp $demo/* "$work/$1/"; echo "$work/$1"; }
# edit FILE SED-EXPRESSION
edit() { sed -i -e "$2" "$1"; }

# expect_failure NAME COMMAND...: the command must fail cleanly.
expect_failure() {
    local name=$1 trace=() start end status
    shift
    runs=$((runs + 1))
    command -v strace >/dev/null && trace=(strace -f -qq -e trace=open,openat,openat2 -o "$work/$name.trace")
    start=$(date +%s)
    (ulimit -v 2097152; exec timeout 30 "${trace[@]}" "$@") > "$work/$name.out" 2> "$work/$name.err" < /dev/null
    status=$?
    end=$(date +%s)
    local problem=""
    [ $status -eq 0 ] && problem="exited 0"
    [ $status -eq 124 ] && problem="timed out after 30 s"
    [ $status -ge 128 ] && problem="died with signal $((status - 128))"
    grep -qiE "fatal error|backtrac" "$work/$name.err" && problem="${problem:+$problem, }trapped"
    [ -s "$work/$name.err" ] || problem="${problem:+$problem, }printed nothing on stderr"
    if [ -f "$work/$name.trace" ] && grep -F "$secret" "$work/$name.trace" | grep -qv ENOENT; then
        problem="${problem:+$problem, }opened $secret outside the model folder"
    fi
    if [ -n "$problem" ]; then
        failures=$((failures + 1))
        echo "FAIL $name ($((end - start)) s): $problem"
        sed 's/^/    /' "$work/$name.err" | head -5
    else
        echo "ok   $name ($((end - start)) s): $(grep -v '^$' "$work/$name.err" | head -1 | cut -c1-150)"
    fi
}

tokens=(--tokens 1,2,3 --out "$work/logits.npy")
prompt=(--prompt "The Eiffel Tower is in" --answer " Paris")

m=$(model huge_width); edit "$m/config.json" 's/"n_embd": 128/"n_embd": 10000000/'
expect_failure config-n-embd-1e7 "$lens" predict --model "$m" "${prompt[@]}"
m=$(model negative_layers); edit "$m/config.json" 's/"n_layer": 3/"n_layer": -3/'
expect_failure config-negative-layers "$lens" logits --model "$m" "${tokens[@]}"
m=$(model huge_eps); edit "$m/config.json" 's/"layer_norm_epsilon": 1e-05/"layer_norm_epsilon": 1e300/'
expect_failure config-eps-1e300 "$lens" logits --model "$m" "${tokens[@]}"
m=$(model bos_outside); edit "$m/config.json" 's/"bos_token_id": 0/"bos_token_id": 99999999/'
expect_failure config-bos-outside-vocab "$lens" predict --model "$m" "${prompt[@]}"
m=$(model not_json); printf '{"model_type": "gpt2", "n_embd": ' > "$m/config.json"
expect_failure config-truncated "$lens" logits --model "$m" "${tokens[@]}"
m=$(model config_link); rm "$m/config.json"; ln -s "$secret" "$m/config.json"
expect_failure config-symlink-outside "$lens" logits --model "$m" "${tokens[@]}"

m=$(model truncated_weights); head -c 100000 $demo/model.safetensors > "$m/model.safetensors"
expect_failure safetensors-truncated "$lens" logits --model "$m" "${tokens[@]}"
m=$(model zero_extent)
header='{"wte.weight":{"dtype":"F32","shape":[0,4611686018427387904,8],"data_offsets":[0,0]}}'
{ printf "\\x$(printf %02x ${#header})\\x00\\x00\\x00\\x00\\x00\\x00\\x00"; printf '%s' "$header"; } > "$m/model.safetensors"
expect_failure safetensors-zero-extent-next-to-huge "$lens" logits --model "$m" "${tokens[@]}"
m=$(model header_length); printf '\xff\xff\xff\xff\xff\xff\xff\x7f{}' > "$m/model.safetensors"
expect_failure safetensors-header-length "$lens" logits --model "$m" "${tokens[@]}"
m=$(model weights_link); rm "$m/model.safetensors"; ln -s "$secret" "$m/model.safetensors"
expect_failure safetensors-symlink-outside "$lens" logits --model "$m" "${tokens[@]}"
for shard in "../../../../../../etc/passwd" "/etc/passwd" "../$(basename "$secret")" "link.safetensors"; do
    m=$(model "index_$runs"); rm "$m/model.safetensors"; ln -s "$secret" "$m/link.safetensors"
    printf '{"weight_map": {"transformer.wte.weight": "%s"}}' "$shard" > "$m/model.safetensors.index.json"
    expect_failure "index-$(echo "$shard" | tr -c 'a-z0-9' '-' | cut -c1-30)" "$lens" logits --model "$m" "${tokens[@]}"
done

m=$(model duplicate_ids); edit "$m/tokenizer.json" 's/^      "!": 1,$/      "!": 1, "dup-a": 1,/'
expect_failure tokenizer-duplicate-ids "$lens" tokenize --tokenizer "$m/tokenizer.json" --text "hello"
m=$(model truncated_tokenizer); head -c 5000 $demo/tokenizer.json > "$m/tokenizer.json"
expect_failure tokenizer-truncated "$lens" predict --model "$m" "${prompt[@]}"
m=$(model deep_tokenizer); printf '%*s' 200000 '' | tr ' ' '[' > "$m/tokenizer.json"
expect_failure tokenizer-deep-nesting "$lens" tokenize --tokenizer "$m/tokenizer.json" --text "hello"

m=$(model huge_batch); edit "$m/prompts.json" 's/"batch": *[0-9]*/"batch": 1000000000000/'
expect_failure prompts-batch-1e12 "$lens" demo --model "$m" --prompts "$m/prompts.json" --out "$work/report.html"
m=$(model huge_seq); edit "$m/prompts.json" 's/"seq_len": *[0-9]*/"seq_len": 1000000000/'
expect_failure prompts-seq-len-1e9 "$lens" demo --model "$m" --prompts "$m/prompts.json" --out "$work/report.html"

# TransformerLens folders: config.json with HookedTransformerConfig fields and a model.pth.
tl() { mkdir -p "$work/$1"
    printf '{"d_model": 16, "d_head": 4, "n_heads": 4, "n_layers": 1, "n_ctx": 8, "d_vocab": 11, "d_mlp": 32, "act_fn": "gelu", "normalization_type": "LNPre"}' > "$work/$1/config.json"
    echo "$work/$1"; }
# pth FOLDER PICKLE-BYTES: a one-member stored zip holding archive/data.pkl (CRC-32 taken from gzip's trailer).
pth() {
    printf "$2" > "$work/data.pkl"
    local n crc
    n=$(stat -c %s "$work/data.pkl")
    crc=$(gzip -c < "$work/data.pkl" | tail -c 8 | head -c 4 | od -An -tx1 | tr -d ' \n' | sed 's/../\\x&/g')
    le32() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x00\\x00"; }
    { printf 'PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00'; printf "$crc"; le32 $n; le32 $n
      printf '\x10\x00\x00\x00archive/data.pkl'; cat "$work/data.pkl"
      printf 'PK\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00'; printf "$crc"; le32 $n; le32 $n
      printf '\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00archive/data.pkl'
      printf 'PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x3e\x00\x00\x00'; le32 $((46 + n)); printf '\x00\x00'
    } > "$1/model.pth"
}
m=$(tl pth_os_system); pth "$m" 'cos\nsystem\n(S"touch pwned"\ntR.'
expect_failure pth-reduce-os-system "$lens" logits --model "$m" "${tokens[@]}"
m=$(tl pth_truncated); pth "$m" '\x80\x02X\xff\xff\xff'
expect_failure pth-huge-string "$lens" logits --model "$m" "${tokens[@]}"
m=$(tl pth_legacy); printf '\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.' > "$m/model.pth"
expect_failure pth-legacy "$lens" logits --model "$m" "${tokens[@]}"
m=$(tl pth_missing)
expect_failure pth-missing-weights "$lens" logits --model "$m" "${tokens[@]}"
m=$(tl pth_link); ln -s "$secret" "$m/model.pth"
expect_failure pth-symlink-outside "$lens" logits --model "$m" "${tokens[@]}"
m=$(tl othello_pth); pth "$m" 'cos\nsystem\n(S"touch pwned"\ntR.'
expect_failure othello-pth-reduce-os-system "$lens" othello --model "$m" --out "$work/othello.html"
m=$(tl othello_shape); cp Models/othello/model.pth "$m/"
expect_failure othello-weights-of-another-shape "$lens" othello --model "$m" --out "$work/othello.html"
m=$(model othello_demo)
expect_failure othello-not-an-othello-gpt "$lens" othello --model "$m" --out "$work/othello.html"

[ -e pwned ] && { echo "FAIL: a pickle ran code"; failures=$((failures + 1)); }
command -v strace >/dev/null || echo "(strace is not installed: reads outside the folders were checked by the error messages only)"
echo "hostile CLI: $((runs - failures)) passed, $failures failed"
[ $failures -eq 0 ]
