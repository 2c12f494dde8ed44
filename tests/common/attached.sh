# Sourced by the shell tests: wait for facts, not for a time that a slow
# machine (an emulated guest, a loaded CI host) outlasts. The shell twin of
# attached.h.

# wait_until_attached PID [SECONDS]: returns 0 once PID holds a BPF link for
# each BPF program it holds (every loaded program attached), or once its links
# stopped growing for a second (a program loaded but never attached, such as a
# tail call's); 1 if it exited first or SECONDS (60) passed.
wait_until_attached() {
  local pid=$1 timeout=${2:-60}
  local step=0.05 per_second=20
  local tries=$((timeout * per_second)) last_links=0 unchanged=0
  local listing line links programs stat state
  for ((try = 0; try < tries; try++)); do
    # Gone, or a zombie the shell has not reaped yet: it gave up. The state
    # follows the comm's closing parenthesis.
    { stat=$(<"/proc/$pid/stat"); } 2>/dev/null || return 1
    state=${stat##*) }
    [ "${state%% *}" != Z ] || return 1
    listing=$(ls -l "/proc/$pid/fd" 2>/dev/null) || return 1
    links=0 programs=0
    while IFS= read -r line; do
      case $line in
        *'-> anon_inode:bpf_link') links=$((links + 1)) ;;
        *'-> anon_inode:bpf-prog') programs=$((programs + 1)) ;;
      esac
    done <<<"$listing"
    if ((links != last_links)); then
      last_links=$links unchanged=0
    else
      unchanged=$((unchanged + 1))
    fi
    ((links > 0 && (links >= programs || unchanged >= per_second))) && return 0
    sleep "$step"
  done
  return 1
}

# wait_until SECONDS COMMAND [ARGS...]: runs COMMAND every 50 ms until it
# succeeds (0) or SECONDS passed (1).
wait_until() {
  local tries=$(($1 * 20))
  shift
  for ((try = 0; try < tries; try++)); do
    "$@" && return 0
    sleep 0.05
  done
  return 1
}
