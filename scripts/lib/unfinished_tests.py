"""The Swift tests of a `swift test` log that started and never finished (a hang, or the run was stopped), in the
order they started: scripts/test.sh names them when it has to stop a run."""
import re, sys
started = {}; done = set()
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r'◇ Test (".*?"|\w+\(.*?\)) started', line)
    if m: started.setdefault(m.group(1), len(started))
    m = re.match(r'[✔✘] Test (".*?"|\w+\(.*?\)) .*(passed|failed)', line)
    if m: done.add(m.group(1))
for name in sorted(set(started) - done, key=started.get): print(name)
