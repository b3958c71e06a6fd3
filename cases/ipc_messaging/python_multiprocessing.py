"""ipc_messaging under multiprocessing: data moves between processes only over IPC, complete and in order.

--variant queue  one multiprocessing.Queue to each peer, one shared Queue back (FIFO per sender)
--variant pipe   one duplex multiprocessing.Pipe per peer
Each peer first echoes pings (round-trip time), then streams numbered messages to the parent;
every 100th is large (default 512 KiB, well past the 64 KiB pipe buffer). The parent counts lost,
duplicated, out-of-order and corrupted messages. Start method pinned to fork.
Evidence for ipc-needed and procs-high-overhead.

What a message costs: `cpu_us_per_msg`, the CPU time (user + sys) of both ends per message moved,
the parent's (all its threads, the queue feeder included) over the exchange plus the peers' whole
lives (reaped children; fork makes their start a small part). Why it separates the models on a
noisy machine where throughput does not: other load stretches wall time, not the CPU each message
costs (pickling, two system calls and a copy each way). The round trips are kept as a distribution
(rtt_us_min, _p10, _p50, _p90, _p99, _max), not as one point.

    conkit run ipc_messaging.python_multiprocessing.queue   # argv: the `run:` line of its .expect
"""
import argparse
import multiprocessing
import multiprocessing.connection
import os
import statistics
import sys
import time

import conkit_facts as ck

PINGS = 200
SMALL = 64


def payload(seq, large):
    return bytes([seq % 251]) * (large if seq % 100 == 99 else SMALL)


def peer(peer_id, inbox, outbox, messages, large):
    while (msg := inbox.recv()) != "go":  # phase 1: echo pings
        outbox.send(msg)
    for seq in range(messages):  # phase 2: stream
        outbox.send((peer_id, seq, payload(seq, large)))
    outbox.send((peer_id, None, b""))


class QueueEnd:
    """A Queue seen through the Connection send/recv names, so one peer() serves both variants."""

    def __init__(self, queue):
        self.queue = queue

    def send(self, obj):
        self.queue.put(obj)

    def recv(self):
        return self.queue.get()


def channels(ctx, variant, peers):
    """(parent ends, child inboxes, child outboxes) per peer, and how the parent receives."""
    if variant == "pipe":
        pairs = [ctx.Pipe(duplex=True) for _ in range(peers)]
        mine = [a for a, _ in pairs]

        def receive():
            return [c.recv() for c in multiprocessing.connection.wait(mine)]
        return mine, [b for _, b in pairs], [b for _, b in pairs], receive
    back = QueueEnd(ctx.Queue())
    to_peers = [QueueEnd(ctx.Queue()) for _ in range(peers)]
    return to_peers, to_peers, [back] * peers, lambda: [back.recv()]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=("queue", "pipe"), default="queue")
    parser.add_argument("--peers", type=int, default=2)
    parser.add_argument("--messages", type=int, default=1000, help="per peer")
    parser.add_argument("--large-kib", type=int, default=512)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("fork")
    ck.begin("python_multiprocessing", args.variant)
    ck.fact("peers", args.peers)
    ck.fact("messages", args.messages)
    large = args.large_kib * 1024
    to_peer, inboxes, outboxes, receive = channels(ctx, args.variant, args.peers)
    procs = [ctx.Process(target=peer, args=(i, inboxes[i], outboxes[i], args.messages, large))
             for i in range(args.peers)]
    cpu0, children0 = time.process_time_ns(), os.times()
    for p in procs:
        p.start()

    rtts = []
    for i in range(args.peers):
        for k in range(PINGS):
            t0 = ck.now_ns()
            to_peer[i].send(k)
            echo = receive()
            rtts.append((ck.now_ns() - t0) / 1e3)
            if echo != [k]:
                sys.exit(f"peer {i} echoed {echo} for ping {k}")

    t0 = ck.now_ns()
    for end in to_peer:
        end.send("go")
    seen = [set() for _ in range(args.peers)]
    last = [-1] * args.peers
    received = duplicated = out_of_order = corrupted = max_bytes = 0
    finished = 0
    while finished < args.peers:
        for peer_id, seq, data in receive():
            if seq is None:
                finished += 1
                continue
            received += 1
            duplicated += seq in seen[peer_id]
            out_of_order += seq < last[peer_id]
            corrupted += data != payload(seq, large)
            seen[peer_id].add(seq)
            last[peer_id] = max(last[peer_id], seq)
            max_bytes = max(max_bytes, len(data))
    elapsed_s = (ck.now_ns() - t0) / 1e9
    for p in procs:
        p.join()
    children = os.times()
    peers_cpu_s = (children.children_user - children0.children_user) + (children.children_system - children0.children_system)
    cpu_ms = (time.process_time_ns() - cpu0) / 1e6 + peers_cpu_s * 1e3

    sent = args.peers * args.messages
    moved = 2 * len(rtts) + 2 * args.peers + sent  # pings and echoes, the "go"s and the ends, the stream
    q = statistics.quantiles(rtts, n=100)  # q[k-1]: the k-th percentile
    lost = sent - sum(len(s) for s in seen)
    for name, value in (("sent", sent), ("received", received), ("lost", lost),
                        ("duplicated", duplicated), ("out_of_order", out_of_order),
                        ("corrupted", corrupted), ("max_message_bytes", max_bytes),
                        ("throughput_msgs_per_s", received / elapsed_s),
                        ("cpu_ms", cpu_ms), ("cpu_us_per_msg", cpu_ms * 1e3 / moved),
                        ("rtt_us_min", min(rtts)), ("rtt_us_p10", q[9]),
                        ("rtt_us_p50", statistics.median(rtts)), ("rtt_us_p90", q[89]),
                        ("rtt_us_p99", q[98]), ("rtt_us_max", max(rtts))):
        ck.fact(name, value)
    ck.say(f"received {received} of {sent}")
    ck.say("done")
