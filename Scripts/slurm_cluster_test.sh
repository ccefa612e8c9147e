#!/usr/bin/env bash
# A real Slurm cluster in the tests (issue 15): installs Debian's slurm-wlm and munge when missing, starts munged,
# slurmctld and slurmd for a one-node cluster on localhost (every file, socket and log under one temporary folder;
# nothing in /etc is touched), then for a corpus scan of the demo model and for a patching sweep over a prompt-pair
# dataset:
#   1. runs the job in one process (the reference database);
#   2. submits it with `lens slurm --shards 4 --submit` (a job array of 4 shards and a merge job afterok on it);
#   3. kills a shard mid-run (`scontrol requeue`, as preemption does) once its database holds some progress (shard 0,
#      unless it already finished), and lets Slurm requeue it; the requeued task resumes from its own database;
#   4. waits for the merge job and checks with `lens compare-db` that the merged database holds exactly the
#      reference's contents, and from the task's log that it ran twice and the second run resumed.
# Stops the daemons it started on exit. Run as root (CI) or with sudo available. Usage:
#   bash Scripts/slurm_cluster_test.sh          (LENS=path/to/lens to use a given build; default .build/debug/lens)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
start_time=$(date +%s)
say() { echo "slurm_cluster_test [$(($(date +%s) - start_time)) s]: $*"; }
fail() { say "FAILED: $*"; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
    || ! command -v munged >/dev/null || ! command -v sqlite3 >/dev/null; then
    say "installing slurm-wlm, munge and sqlite3 from Debian"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq slurm-wlm munge sqlite3 >/dev/null
fi
[ "$(id -u)" = 0 ] || fail "slurmd must run as root here (run this script as root)"

lens=${LENS:-$repo/.build/debug/lens}
if [ ! -x "$lens" ]; then say "building lens"; swift build --product lens; fi
lens=$(readlink -f "$lens")

work=$(mktemp -d /tmp/lens-slurm.XXXXXX)
mkdir -p "$work"/{munge,state,spool,logs}
chmod 700 "$work/munge"
cleanup() {
    status=$?
    for pidfile in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
        [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    sleep 1
    # Any task still running was started by our slurmd; its stepd dies with the daemons, the job's lens with it.
    if [ $status -ne 0 ]; then
        for log in "$work"/logs/*.log "$work"/*/logs/*.log; do [ -f "$log" ] && { echo "==== $log"; tail -n 30 "$log"; }; done
    else
        rm -rf "$work"
    fi
    exit $status
}
trap cleanup EXIT

# munge: a fresh key and a private socket.
mungekey --create --keyfile="$work/munge/munge.key" 2>/dev/null || dd if=/dev/urandom bs=1 count=1024 of="$work/munge/munge.key" 2>/dev/null
chmod 400 "$work/munge/munge.key"
munged --force --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" --log-file="$work/logs/munged.log" \
    --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/munged.seed" 2>>"$work/logs/munged.log"

# Slurm: one node (this machine, all its cores), one partition; memory is requested (--mem) but not enforced.
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
ctld_port=${SLURMCTLD_PORT:-16817}
slurmd_port=${SLURMD_PORT:-16818}
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=lenstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket,cred_expire=10
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -c -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N "$host"
for _ in $(seq 60); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || fail "the node did not come up (state: ${state:-none})"
say "one-node cluster up: $host, $cpus CPUs, $memory MiB (Slurm $(sinfo --version | awk '{print $2}'))"

# The state of job $1 (an array task is JOBID_TASK).
job_state() { scontrol show job "$1" 2>/dev/null | awk -F'JobState=' 'NF > 1 { split($2, s, " "); print s[1]; exit }'; }

# run_sharded NAME PROGRESS_SQL COMMAND...: the reference run, the Slurm run with a shard killed, the comparison.
run_sharded() {
    local name=$1 progress=$2
    shift 2
    say "$name: one process"
    "$lens" "$@" --no-progress --db "$work/$name-single.sqlite" >"$work/logs/$name-single.log"
    say "$name: lens slurm --shards 4 --submit"
    "$lens" slurm --shards 4 --cpus-per-task 1 --dir "$work/$name" --submit -- "$@" --checkpoint-seconds 0.2 \
        --db "$work/$name-merged.sqlite"
    read -r array merge <"$work/$name/jobs"
    # The first shard found mid-run (some progress saved, not finished) is killed: usually shard 0, or a later one
    # on a machine fast enough that shard 0 finished between two looks.
    local killed="" finished_shards
    for _ in $(seq 1200); do
        finished_shards=0
        for task in 0 1 2 3; do
            local db="$work/$name/shards/$name-merged-$task.sqlite"
            [ -f "$db" ] || continue
            read -r saved finished < <(sqlite3 -separator ' ' "$db" "$progress" 2>/dev/null || echo "0 0")
            if [ "${finished:-0}" = 1 ]; then finished_shards=$((finished_shards + 1)); continue; fi
            if [ "${saved:-0}" -gt 0 ]; then
                scontrol requeue "${array}_$task"
                killed=$task
                say "$name: killed shard $task (job ${array}_$task) mid-run after $saved saved; Slurm requeued it"
                break 2
            fi
        done
        [ "$finished_shards" = 4 ] && fail "$name: every shard finished before one could be killed (make the job longer)"
        sleep 0.1
    done
    [ -n "$killed" ] || fail "$name: no shard saved progress in 120 s"
    for _ in $(seq 600); do
        state=$(job_state "$merge")
        case "$state" in
            COMPLETED) break ;;
            FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) fail "$name: the merge job $merge ended $state" ;;
        esac
        sleep 1
    done
    [ "$state" = COMPLETED ] || fail "$name: the merge job $merge did not complete in 600 s (state: $state)"
    for task in 0 1 2 3; do
        [ "$(job_state "${array}_$task")" = COMPLETED ] || fail "$name: shard task $task ended $(job_state "${array}_$task")"
    done
    local log="$work/$name/logs/shard-$killed.log"
    grep -q "restart 1" "$log" || fail "$name: shard $killed did not run a second time"
    grep -q "Resumed from" "$log" || fail "$name: shard $killed's second run did not resume from its database"
    grep -E "^lens slurm|^Resumed|this run|complete:" "$log" | sed "s/^/    shard $killed: /"
    grep -E "^Merged" "$work/$name/logs/merge.log" | sed 's/^/    merge job: /'
    "$lens" compare-db "$work/$name-merged.sqlite" "$work/$name-single.sqlite"
    say "$name: merged database equals the single-process one"
}

# Long enough (about 10k tokens a shard) that a shard is caught mid-run between its checkpoints (every 0.2 s).
corpus="$work/corpus.txt"
cat Models/demo/corpus.txt Models/demo/corpus.txt >"$corpus"
run_sharded scan "SELECT contexts, finished FROM progress" \
    scan --model Models/demo --corpus "$corpus" --sae Models/demo/sae/blocks.1.hook_resid_post --heads 0,1 \
    --batch-size 4

pairs="$work/pairs.jsonl"
for _ in 1 2 3 4; do cat Models/demo/pairs.jsonl; done >"$pairs"
run_sharded sweep "SELECT prompts, finished FROM progress" \
    sweep --model Models/demo --prompts "$pairs" --act head_z_by_pos
say "passed"
