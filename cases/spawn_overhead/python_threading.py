"""spawn_overhead under threading: what a Python thread costs to create and to keep waiting.

Times K no-op threads from creation to join (per unit), and charges the growth of resident
memory while K threads wait on an Event to them (per unit). The claims layer compares these
facts with the process and asyncio cases, which measure the same thread baseline.
Evidence for threads-low-overhead and async-cheap-scale.

    conkit run spawn_overhead.python_threading   # argv: the `run:` line of its .expect
"""
import conkit_facts as ck
import unit_cost

if __name__ == "__main__":
    k = unit_cost.begin_units("python_threading", 100)
    ck.fact("idle_kib_per_unit", unit_cost.thread_idle_kib(k))  # memory first: see unit_cost
    us, share = unit_cost.thread_per_unit(k)
    ck.fact("per_unit_us", us)
    ck.fact("timing_cpu_share", share)  # see unit_cost: a run that waited for a core is no evidence
    ck.say(f"{k} threads started, waited and joined")
    ck.say("done")
