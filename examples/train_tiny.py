#!/usr/bin/env python3
"""A tiny training run for Stepwise `command` objectives (pure Python, no dependencies).

Contract (see workers/src/command/run-program.ts):
  * trial parameters arrive as ONE JSON object on stdin, e.g. {"lr": 0.1, "hidden": 8, "l2": 1e-4, "epochs": 60};
  * free-form progress lines may go to stdout or stderr;
  * the LAST non-empty stdout line is a JSON object of numeric metrics, e.g. {"val_loss": 0.31, "val_acc": 0.9};
  * a non-zero exit fails the trial (the tail of stderr becomes the error).

Trains a one-hidden-layer tanh MLP with minibatch SGD on a noisy "two moons" data set generated
from --seed, and reports validation cross-entropy and accuracy. Runs in well under a second.

With --report-steps it also prints one JSON line per epoch, {"step": epoch, "val_loss": ...,
"train_loss": ..., "val_acc": ...}: the intermediate values a study's pruner judges the run by.
--epoch-seconds S sleeps S seconds after each epoch, standing in for a real training run's cost.

    echo '{"lr": 0.3, "hidden": 8}' | python3 train_tiny.py --seed 1
    echo '{"lr": 0.3, "epochs": 27}' | python3 train_tiny.py --seed 1 --report-steps
"""
import argparse
import json
import math
import random
import sys
import time

DEFAULTS = {"lr": 0.1, "hidden": 8, "l2": 0.0, "epochs": 60, "batch": 16}
LIMITS = {"lr": (1e-6, 10.0), "hidden": (1, 32), "l2": (0.0, 1.0), "epochs": (1, 200), "batch": (4, 200)}
INTS = {"hidden", "epochs", "batch"}


def fail(message):
    print(f"train_tiny: {message}", file=sys.stderr)
    sys.exit(2)


def read_params():
    text = sys.stdin.read()
    try:
        given = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as err:
        fail(f"stdin is not JSON: {err}")
    if not isinstance(given, dict):
        fail("stdin must be a JSON object of parameters")
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        fail(f"unknown parameter(s) {', '.join(unknown)}; this program takes {', '.join(DEFAULTS)}")
    params = dict(DEFAULTS)
    for key, value in given.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(f"{key} must be a number, got {value!r}")
        if key in INTS:
            if value != int(value):
                fail(f"{key} must be an integer, got {value!r}")
            value = int(value)
        low, high = LIMITS[key]
        if not (low <= value <= high):
            fail(f"{key}={value} is outside [{low}, {high}]")
        params[key] = value
    return params


def two_moons(n, noise, rng):
    data = []
    for i in range(n):
        label = i % 2
        t = math.pi * rng.random()
        if label == 0:
            x, y = math.cos(t), math.sin(t)
        else:
            x, y = 1.0 - math.cos(t), 0.5 - math.sin(t)
        data.append(((x + rng.gauss(0, noise) - 0.5) / 1.2, (y + rng.gauss(0, noise) - 0.25) / 0.8, label))
    rng.shuffle(data)
    return data


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class MLP:
    def __init__(self, hidden, rng):
        s1, s2 = 1.0 / math.sqrt(2), 1.0 / math.sqrt(hidden)
        self.w1 = [[rng.gauss(0, s1), rng.gauss(0, s1)] for _ in range(hidden)]
        self.b1 = [0.0] * hidden
        self.w2 = [rng.gauss(0, s2) for _ in range(hidden)]
        self.b2 = 0.0

    def forward(self, x0, x1):
        h = [math.tanh(w[0] * x0 + w[1] * x1 + b) for w, b in zip(self.w1, self.b1)]
        z = sum(w * hj for w, hj in zip(self.w2, h)) + self.b2
        return h, z

    def evaluate(self, data):
        loss = correct = 0
        for x0, x1, y in data:
            z = self.forward(x0, x1)[1]
            # Stable binary cross-entropy from the logit.
            loss += max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))
            correct += (z > 0) == (y == 1)
        return loss / len(data), correct / len(data)

    def sgd_step(self, batch, lr, l2):
        hidden = len(self.b1)
        g_w1 = [[0.0, 0.0] for _ in range(hidden)]
        g_b1 = [0.0] * hidden
        g_w2 = [0.0] * hidden
        g_b2 = 0.0
        for x0, x1, y in batch:
            h, z = self.forward(x0, x1)
            dz = sigmoid(z) - y
            g_b2 += dz
            for j in range(hidden):
                g_w2[j] += dz * h[j]
                dpre = dz * self.w2[j] * (1.0 - h[j] * h[j])
                g_b1[j] += dpre
                g_w1[j][0] += dpre * x0
                g_w1[j][1] += dpre * x1
        scale = lr / len(batch)
        for j in range(hidden):
            self.w2[j] -= scale * g_w2[j] + lr * l2 * self.w2[j]
            self.b1[j] -= scale * g_b1[j]
            self.w1[j][0] -= scale * g_w1[j][0] + lr * l2 * self.w1[j][0]
            self.w1[j][1] -= scale * g_w1[j][1] + lr * l2 * self.w1[j][1]
        self.b2 -= scale * g_b2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report-steps", action="store_true", help="print a JSON line of metrics after every epoch")
    parser.add_argument("--epoch-seconds", type=float, default=0.0, help="sleep this long after each epoch")
    args = parser.parse_args()
    if not (0.0 <= args.epoch_seconds <= 60.0):
        fail(f"--epoch-seconds={args.epoch_seconds} is outside [0, 60]")
    params = read_params()
    started = time.perf_counter()

    rng = random.Random(args.seed)
    data = two_moons(300, 0.15, rng)
    train, val = data[:200], data[200:]
    model = MLP(params["hidden"], rng)
    epochs, batch, lr, l2 = params["epochs"], params["batch"], params["lr"], params["l2"]
    print(f"train_tiny seed={args.seed} params={json.dumps(params, sort_keys=True)}", flush=True)

    report_every = max(1, epochs // 5)
    for epoch in range(1, epochs + 1):
        rng.shuffle(train)
        for i in range(0, len(train), batch):
            model.sgd_step(train[i:i + batch], lr, l2)
        if args.report_steps:
            train_loss, _ = model.evaluate(train)
            val_loss, val_acc = model.evaluate(val)
            step = {"step": epoch, "val_loss": round(val_loss, 6), "train_loss": round(train_loss, 6), "val_acc": round(val_acc, 6)}
            # json.dumps would print NaN for a diverged run; the pruner skips non-finite values anyway.
            print(json.dumps(step), flush=True)
        if args.epoch_seconds:
            time.sleep(args.epoch_seconds)
        if epoch % report_every == 0 or epoch == epochs:
            train_loss, _ = model.evaluate(train)
            val_loss, val_acc = model.evaluate(val)
            print(f"epoch {epoch}/{epochs} train_loss={train_loss:.4f} val_loss={val_loss:.4f} val_acc={val_acc:.3f}", flush=True)
            if not math.isfinite(train_loss):
                break

    train_loss, train_acc = model.evaluate(train)
    val_loss, val_acc = model.evaluate(val)
    print(json.dumps({
        "val_loss": round(val_loss, 6),
        "val_acc": round(val_acc, 6),
        "train_loss": round(train_loss, 6),
        "train_acc": round(train_acc, 6),
        "seconds": round(time.perf_counter() - started, 4),
    }), flush=True)


if __name__ == "__main__":
    main()
