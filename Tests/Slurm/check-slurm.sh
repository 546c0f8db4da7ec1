#!/usr/bin/env bash
# scripts/slurm-restore on a real one-node Slurm cluster started here: munged,
# slurmctld and slurmd as root (no systemd), configured in a temporary folder;
# a 4-task job array over a generated folder; every output byte for byte the
# serial batch's. The daemons started here are stopped on any exit.
#   Tests/Slurm/check-slurm.sh build/bin/restorekit
set -euo pipefail
cli=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "*** make test: SKIPPED test-slurm: it starts munged, slurmctld and slurmd, which needs root ***"
  exit 0
fi
for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || { echo "check-slurm: $tool is missing (scripts/setup installs slurm-wlm and munge)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/restorekit-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
stop() {
  status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $status -ne 0 ]; then
    for f in "$tmp"/log/*.log "$tmp"/jobs/*.out; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done >&2
  fi
  rm -rf "$tmp"
}
trap stop EXIT
trap "exit 143" TERM INT
fail() { echo "check-slurm: FAIL: $*" >&2; exit 1; }
start=$(date +%s)

# munge: its own key, socket and files, so nothing of the machine's is touched.
mkdir -p "$tmp"/{munge,state,spool,log,run,jobs}
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/seed" >>"$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || fail "munged did not start"

# Free ports for the controller and the node daemon.
read -r ctld_port slurmd_port < <(python3 -c '
import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); s.close()
print(*ports)')
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
export SLURM_CONF=$tmp/slurm.conf
cat > "$SLURM_CONF" <<CONF
ClusterName=restorekit-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=restorekit Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >>"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >>"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 0.1
done
[ "$state" = idle ] || fail "the node is not idle after 30 s (state '$state')"
echo "check-slurm: one-node cluster up ($host, $cpus CPUs) in $(( $(date +%s) - start )) s"

# 16 generated images and the serial batch they must match.
python3 "$root/Tests/CLI/make-images.py" "$tmp/in" 16 48 40 11
opts=(--restoration "Denoise with sigma 0.05, Deblur with sigma 0.8" --model classic)
"$cli" batch "$tmp/in" "$tmp/serial" "${opts[@]}" --quiet

# The shipped script submits the array; --wait returns when every task has ended.
job=$(cd "$tmp" && timeout 150 "$root/scripts/slurm-restore" --tasks 4 --log-dir "$tmp/jobs" \
        --restorekit "$cli" --wait "$tmp/in" "$tmp/out" "${opts[@]}") || fail "the job array failed"
echo "check-slurm: job array $job finished in $(( $(date +%s) - start )) s"
[ "$(ls "$tmp"/jobs/restorekit-batch-*_*.out | wc -l)" -eq 4 ] || fail "not 4 task logs: $(ls "$tmp/jobs")"
for i in 0 1 2 3; do
  record=$tmp/out/.restorekit-batch-$i-of-4.jsonl
  [ "$(grep -c '"done"' "$record")" -eq 4 ] || fail "shard $i restored $(grep -c '"done"' "$record" || true) images, not 4"
done
count=0
for f in $(cd "$tmp/serial" && find . -type f ! -name '*.jsonl' | sed 's|^\./||'); do
  cmp -s "$tmp/serial/$f" "$tmp/out/$f" || fail "$f differs from the serial run"
  count=$((count + 1))
done
[ $count -eq 16 ] || fail "$count outputs, not 16"
extra=$(cd "$tmp/out" && find . -type f ! -name '*.jsonl' | wc -l)
[ "$extra" -eq 16 ] || fail "the output folder holds $extra files besides the records, not 16"

# A resubmission finds everything done.
timeout 60 "$root/scripts/slurm-restore" --tasks 4 --log-dir "$tmp/jobs" --restorekit "$cli" --wait \
  "$tmp/in" "$tmp/out" "${opts[@]}" >/dev/null || fail "the resubmitted array failed"
for i in 0 1 2 3; do
  grep -q '"skipped"' "$tmp/out/restorekit-batch-$i-of-4.log.jsonl" || fail "shard $i redid finished images"
  ! grep -q '"done"' "$tmp/out/restorekit-batch-$i-of-4.log.jsonl" || fail "shard $i redid finished images"
done
echo "check-slurm: passed (16 images, 4 array tasks, byte for byte the serial run; resubmission skipped all) in $(( $(date +%s) - start )) s"
