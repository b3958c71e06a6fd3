# Three threads each wait one unit, announcing it on stdout without flushing. Over a pipe Python
# buffers stdout in blocks, so every line reaches conkit at exit; on a terminal (stdio: pty) each
# line goes out when it is written. One write() per line: print()'s separate write of the newline
# could let another thread's text in between.
import os
import sys
import threading
import time

UNIT_S = int(os.environ.get("CONKIT_UNIT_MS", "100")) / 1000


def worker(n):
    sys.stdout.write(f"worker {n} waiting\n")
    time.sleep(UNIT_S)
    sys.stdout.write(f"worker {n} done\n")


sys.stdout.write("starting 3 threads\n")
threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
sys.stdout.write("joined\n")
