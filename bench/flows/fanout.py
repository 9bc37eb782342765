# Benchmark flow, Metaflow's twin of fanout.ts: start → foreach over N items with an empty body →
# join → end. Benchmarks 1 and 2 run it beside fanout.ts, in the bench's venv (scripts/bench-setup.sh).
from metaflow import FlowSpec, Parameter, step


class FanoutBench(FlowSpec):
    width = Parameter("width", default=100, type=int)

    @step
    def start(self):
        self.items = list(range(self.width))
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    FanoutBench()
