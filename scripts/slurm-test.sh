#!/usr/bin/env bash
# Tests `odimo sweep submit --slurm` against a live, single-node Slurm on this machine (run
# as root, by .ci/run): installs slurm-wlm and munge from Debian, writes a minimal
# configuration (slurmctld + slurmd on this host, no cgroups), starts the daemons, submits a
# tiny sweep (2 λ × 2 seeds, one baseline, the float reference), waits for it, checks that
# its results equal the same sweep run locally with `sweep run`, then cancels one array task
# mid-run, resubmits, and checks the result again. Stops the daemons it started.
set -euo pipefail
cd "$(dirname "$0")/.."
odimo="${ODIMO:-$(swift build -c release --show-bin-path)/odimo}"
work="$(mktemp -d /tmp/odimo-slurm.XXXXXX)"
log() { echo "[slurm-test $(date +%T)] $*"; }

if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  log "installing slurm-wlm and munge"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge > "$work/apt.log"
fi

host="$(hostname -s)"
cpus="$(nproc)"
conf="$work/slurm.conf"
mkdir -p "$work/state" "$work/spool"
cat > "$conf" <<CONF
ClusterName=odimo-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF="$conf"

started=()
cleanup() {
  for pid in "${started[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
}
trap cleanup EXIT

if ! pgrep -x munged > /dev/null; then
  [ -s /etc/munge/munge.key ] || (command -v mungekey > /dev/null && mungekey --create --force) \
    || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2> /dev/null
  chown munge:munge /etc/munge/munge.key 2> /dev/null || true
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge && chown munge:munge /run/munge 2> /dev/null || true
  runuser -u munge -- /usr/sbin/munged --force
fi
/usr/sbin/slurmctld -D -f "$conf" > "$work/slurmctld.out" 2>&1 &
started+=($!)
/usr/sbin/slurmd -D -f "$conf" > "$work/slurmd.out" 2>&1 &
started+=($!)
for _ in $(seq 60); do
  sinfo -h -o %T 2> /dev/null | grep -qE "idle|mixed" && break
  sleep 1
done
sinfo -h -o "%P %T %c" || { log "Slurm did not come up"; tail -n 20 "$work/slurmctld.log" "$work/slurmd.log"; exit 1; }

log "dataset"
"$odimo" data import fashion-mnist /usr/share/datasets/fashion-mnist --out "$work/fm.h5" --val-split 0.1 \
  --seed 0 --quiet
sweep=(--soc diana --model resnet8 --data "$work/fm.h5" --train-limit 256 --preset quick --warmup-epochs 1
  --search-epochs 1 --finetune-epochs 1 --batch 64 --lambdas 0,1 --seeds 0,1 --baselines all-digital --reference)

# The states of job (or array) $1, one per line: PENDING, RUNNING, COMPLETED, … (nothing
# while the controller does not answer).
states() { scontrol show job -o "$1" 2> /dev/null | grep -oE 'JobState=[A-Z_]+' | cut -d= -f2 || true; }

wait_for() {  # job ids…: until every one has ended
  for _ in $(seq 1800); do
    local active=0
    for id in "$@"; do
      local now
      now="$(states "$id")"
      if [ -z "$now" ] || echo "$now" | grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL)$'; then
        active=1
      fi
    done
    [ "$active" = 0 ] && return 0
    sleep 1
  done
  log "timed out waiting for $*"
  return 1
}

# results DIR: accuracy and latency of every run of the sweep, one line each
results() {
  "$odimo" sweep status "$1" --json | python3 -c '
import json, sys
for job in json.load(sys.stdin)["jobs"]:
    print(job["name"], job["seed"], job["state"], job.get("test_accuracy"), job.get("latency_cycles"))'
}

log "local sweep"
# The jobs run with one thread each (--cpus-per-task 1); so does the local sweep, as
# oneDNN sums in another order with another thread count.
OMP_NUM_THREADS=1 "$odimo" sweep run "${sweep[@]}" --out "$work/local" 2> "$work/local.log"
results "$work/local" > "$work/local.txt"

log "submitted sweep"
# submit OUT: submits the sweep into OUT and prints its job ids (warmup jobs finish)
submit() {
  "$odimo" sweep submit "${sweep[@]}" --out "$1" --cpus-per-task 1 --json \
    | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["warmup"], d["jobs"], d["finish"])'
}
ids=$(submit "$work/slurm")
log "jobs $ids"
wait_for $ids
results "$work/slurm" > "$work/slurm.txt"
diff "$work/local.txt" "$work/slurm.txt"
[ -f "$work/slurm/report/report.md" ] || { log "the finishing job wrote no report"; exit 1; }
"$odimo" audit "$work/slurm/report/report.md" --quiet --allow-outside

log "cancelled task, resubmitted"
ids=$(submit "$work/again")
jobs=$(echo "$ids" | cut -d' ' -f2)
for _ in $(seq 600); do
  squeue -h -j "$jobs" -t RUNNING -o %i 2> /dev/null | grep -q "_1$" && break
  sleep 1
done
[ -n "$(squeue -h -j "$jobs" -t RUNNING -o %i 2> /dev/null | grep "_1$")" ] || { log "task 1 never ran"; exit 1; }
sleep 3
scancel "${jobs}_1" || true
wait_for $ids
[ -z "$(states "${jobs}_1" | grep -x CANCELLED)" ] && { log "task 1 was not cancelled"; exit 1; }
ids=$(submit "$work/again")
wait_for $ids
results "$work/again" > "$work/again.txt"
diff "$work/local.txt" "$work/again.txt"
log "passed: the Slurm sweep equals the local one, also after scancel and resubmission"
rm -rf "$work"
