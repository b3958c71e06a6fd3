"""worker_join_task — the task of article 003's threading and multiprocessing examples, the same
for both Python models of worker_join (only how it is started differs):

    threading.Thread(target=worker_join_task.run, args=(i, ck.unit(), span))

It says "Task i started...", blocks for 1u in time.sleep (which releases the GIL, so such waits
overlap in threads as in processes), says "Task i completed!", stamps its span (task_span) and
writes the facts tid and pid.
"""
import time

import conkit_facts as ck
import task_span


def run(task_id, u, span):
    with span.task(task_id):
        ck.say(f"Task {task_id} started...")
        time.sleep(u)  # a blocking call
        ck.say(f"Task {task_id} completed!")
    task_span.record_runner()
