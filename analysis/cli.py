"""``python -m analysis``: the command line of the analysis.

Two forms::

    python -m analysis [options]          sweep, fit, draw and report into a run folder
    python -m analysis render RUN_DIR     redraw figures and report from a run's tables

Every input is checked before anything is computed or written; a problem
is reported on one line of stderr, without a traceback, with a non-zero
exit status (see `EXIT_CODES`).
"""

import argparse
import datetime
import math
import os
import signal
import sys
import textwrap
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from numdiff import SCHEMES
from numdiff.catalogue import CATALOGUE

from .expression import FUNCTIONS as EXPRESSION_FUNCTIONS
from .grid import DEFAULT_EPS_MAX, DEFAULT_EPS_MIN, DEFAULT_PER_DECADE, eps_grid
from . import limits, studies
from .config import RunConfig
from .output import TargetError, check_target
from .sweep import DTYPES, plan_sweep
from .targets import (_path_target, catalogue_target, check_reference, expression_target,
                      load_callable, probe_function)

__all__ = ["main", "EXIT_CODES", "build_parser"]

#: Exit statuses of the command.
EXIT_CODES = {
    0: "complete; every evaluation inside the domains gave a finite value",
    1: "complete, but f raised or returned NaN/inf at some steps (flagged in summary.csv "
       "and the report)",
    2: "bad input (unknown name, bad range, unsafe --expr, point outside a domain, --out not "
       "empty without --force, a damaged run folder for render); nothing was written",
    3: "the run failed (for example a file could not be written); nothing was written at "
       "the target",
    130: "interrupted (Ctrl-C); nothing was written at the target",
    143: "terminated (SIGTERM); nothing was written at the target",
}


class UsageError(ValueError):
    """Bad command-line input."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the run stops and cleans up."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)

    def _parse_optional(self, arg_string):
        # A negative number ("-1e-3", "-inf") is a value, never an option.
        try:
            float(arg_string)
        except ValueError:
            return super()._parse_optional(arg_string)
        return None


def _studies_text():
    """Each study's name, title, tables and options, from its declaration."""
    lines = []
    for study in studies.STUDIES:
        lines.append(textwrap.fill(f"{study.name} ({study.title}): {' '.join(study.files)}",
                                   90, initial_indent="  ", subsequent_indent="      ",
                                   break_on_hyphens=False))
        if study.options:
            lines.append(textwrap.fill(f"reads {' '.join(study.options)}", 90,
                                       initial_indent="      ", subsequent_indent="      ",
                                       break_on_hyphens=False))
    return "\n".join(lines)


def _epilog():
    codes = "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())
    return f"""\
sub-command:
  python -m analysis render RUN_DIR
        redraw the figures and rewrite report.md/report.html of an existing run folder
        from its CSV files, without recomputing.

output (in --out, default reports/<run id>/; written in a temporary folder and moved
into place only when complete): metadata.json report.html report.md figures/ and the
tables of each study:
{_studies_text()}
--studies runs only the studies named, e.g. --studies error_vs_step,noise

--expr accepts numbers, x, pi, e, + - * / ** and the functions
  {', '.join(sorted(EXPRESSION_FUNCTIONS))}
and nothing else (no names, attributes, subscripts, lambdas); it is never executed as code.

exit status:
{codes}

examples:
  python -m analysis
  python -m analysis --functions exp sin --schemes forward central central4 --dtypes float32 float64
  python -m analysis --expr 'exp(x)/sqrt(sin(x)**3+cos(x)**3)' --x 1.5 --out runs/squire
  python -m analysis --func mymodule:f --exact mymodule:df --x 0.3
  python -m analysis --studies error_vs_step,precision,step_selection
"""


def build_parser():
    """The argument parser of the main form (``--help`` text included)."""
    parser = _Parser(
        prog="python -m analysis",
        usage="%(prog)s [options]\n       %(prog)s render RUN_DIR [--quiet]",
        description="Sweep the finite-difference step over many decades for test functions, "
                    "separate truncation from cancellation, compare with the error model, and "
                    "write charts and a research report (HTML and Markdown).",
        epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", metavar="DIR", help="run folder to create (default: "
                        "reports/<run id>/); refused if it exists and is not empty")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing non-empty --out folder")
    parser.add_argument("--functions", nargs="+", metavar="NAME",
                        help="catalogue functions, space or comma separated, or 'all' "
                             f"(default: all, unless --expr/--func is given): "
                             f"{', '.join(CATALOGUE)}")
    parser.add_argument("--x", nargs="+", metavar="X",
                        help="points, used for every function (default: each function's "
                             "default point; 1.0 for --expr/--func)")
    parser.add_argument("--schemes", nargs="+", metavar="NAME", default=["forward", "central"],
                        help=f"schemes (default: forward central): {', '.join(SCHEMES)}")
    parser.add_argument("--dtypes", nargs="+", metavar="DTYPE", default=["float64"],
                        help=f"precisions of the sweep (default: float64): {', '.join(DTYPES)}; "
                             "the precision study always compares "
                             f"{', '.join(studies.precision.PRECISION_DTYPES)}, whatever --dtypes "
                             "says")
    parser.add_argument("--eps-min", type=float, default=DEFAULT_EPS_MIN, metavar="EPS",
                        help=f"smallest step (default: {DEFAULT_EPS_MIN:g})")
    parser.add_argument("--eps-max", type=float, default=DEFAULT_EPS_MAX, metavar="EPS",
                        help=f"largest step (default: {DEFAULT_EPS_MAX:g})")
    parser.add_argument("--per-decade", type=int, default=DEFAULT_PER_DECADE, metavar="N",
                        help=f"steps per decade (default: {DEFAULT_PER_DECADE})")
    parser.add_argument("--deriv", type=int, default=1, metavar="Q",
                        help="derivative order (default: 1)")
    parser.add_argument("--expr", action="append", metavar="FORMULA", default=[],
                        help="a formula in x, e.g. 'exp(x)/sqrt(sin(x)**3+cos(x)**3)'; checked "
                             "against mpmath.diff at 50 digits (repeatable)")
    parser.add_argument("--func", metavar="MODULE:ATTR",
                        help="a numpy function of your own, importable as module:attr")
    parser.add_argument("--exact", metavar="MODULE:ATTR",
                        help="its exact derivative; without it the reference is a labelled "
                             "high-accuracy estimate (8th-order central difference)")
    parser.add_argument("--studies", nargs="+", metavar="NAME",
                        help="studies to run, space or comma separated, or 'all' (default: "
                             "all): " + "; ".join(f"{s.name} ({s.title})" for s in studies.STUDIES))
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="processes for the sweep (default: 1, no pool); at most the "
                             "number of CPUs")
    parser.add_argument("--oversubscribe", action="store_true",
                        help=f"allow --workers above the number of CPUs (at most "
                             f"{limits.MAX_WORKERS})")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar and no messages except errors and the output "
                             "folder")
    return parser


def _render_parser():
    parser = _Parser(prog="python -m analysis render",
                     description="Redraw figures and rewrite the report of a run folder from "
                                 "its CSV files, without recomputing.")
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a folder written by python -m "
                        "analysis")
    parser.add_argument("--quiet", action="store_true", help="print only errors and the folder")
    return parser


def _split(values, option=None):
    """Items of space- or comma-separated values; an option given empty is an error."""
    items = [item.strip() for value in values or [] for item in value.split(",")
             if item.strip()]
    if option and values is not None and not items:
        raise UsageError(f"{option} must not be empty")
    return items


def _check_given(args):
    """Options given with an empty value are errors, not "not given"."""
    for option in ("out", "func", "exact"):
        value = getattr(args, option)
        if value is not None and not value.strip():
            raise UsageError(f"--{option} must not be empty")
    if len(args.expr) > limits.MAX_EXPRESSIONS:
        raise UsageError(f"--expr is given {len(args.expr)} times; at most "
                         f"{limits.MAX_EXPRESSIONS}")


def _targets(args):
    targets = []
    names = _split(args.functions, "--functions")
    if names == ["all"] or (not names and not args.expr and not args.func):
        names = list(CATALOGUE)
    for name in names:
        targets.append(catalogue_target(name))
    for index, text in enumerate(args.expr):
        targets.append(expression_target(text, name="expr" if len(args.expr) == 1
                                         else f"expr{index + 1}"))
    if args.exact and not args.func:
        raise UsageError("--exact needs --func")
    if args.func:
        attribute = args.func.split(":")[-1].split(".")[-1] or "func"
        targets.append(_path_target(args.func, args.exact, attribute, 1.0))
    return targets


def _points(args):
    if args.x is None:
        return None
    points = []
    for text in _split(args.x, "--x"):
        try:
            points.append(float(text))
        except ValueError:
            raise UsageError(f"--x: {text!r} is not a number") from None
    if len(points) > limits.MAX_POINTS:
        raise UsageError(f"--x gives {len(points)} points; at most {limits.MAX_POINTS}")
    return points


def _config(args, argv):
    """Validate everything and build the RunConfig (raises ValueError/TypeError)."""
    _check_given(args)
    _check_sizes(args)
    targets = _targets(args)
    points = _points(args)
    grid = eps_grid(args.eps_min, args.eps_max, per_decade=args.per_decade)
    config = RunConfig(tuple(targets), None if points is None else tuple(points),
                       tuple(_split(args.schemes, "--schemes")),
                       tuple(_split(args.dtypes, "--dtypes")), args.eps_min,
                       args.eps_max, args.per_decade, args.deriv, args.workers,
                       not args.quiet, tuple(argv), _selected_studies(args.studies))
    tasks = plan_sweep(config.targets, x=None if points is None else points,
                       schemes=config.schemes, dtypes=config.dtypes, eps=grid,
                       deriv=config.deriv)
    rows = sum(len(task.x) * len(task.eps) for task in tasks)
    if rows > limits.MAX_SWEEP_ROWS:
        raise UsageError(f"this run's sweep has {rows:,} rows (functions x points x schemes x "
                         f"dtypes x steps); at most {limits.MAX_SWEEP_ROWS:,}: use fewer "
                         "points, steps or cases")
    _check_values(args, config, tasks)
    return config


def _check_sizes(args):
    """Limits on the numbers the command line sizes a run with (`analysis.limits`)."""
    for option, value in (("--eps-min", args.eps_min), ("--eps-max", args.eps_max)):
        if math.isfinite(value) and value > 0 and not (
                limits.MIN_STEP <= value <= limits.MAX_STEP):
            raise UsageError(f"{option} must be between {limits.MIN_STEP:g} and "
                             f"{limits.MAX_STEP:g}, got {value:g}")
    if args.per_decade > limits.MAX_PER_DECADE:
        raise UsageError(f"--per-decade must be at most {limits.MAX_PER_DECADE}, got "
                         f"{args.per_decade}")
    if (args.eps_min > 0 and args.eps_max > args.eps_min and math.isfinite(args.eps_max)):
        steps = args.per_decade * math.log10(args.eps_max / args.eps_min) + 1
        if steps > limits.MAX_STEPS:
            raise UsageError(f"the grid has {steps:,.0f} steps (--eps-min, --eps-max, "
                             f"--per-decade); at most {limits.MAX_STEPS:,}")
    cpus = limits.cpu_count()
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    if args.workers > limits.MAX_WORKERS:
        raise UsageError(f"--workers must be at most {limits.MAX_WORKERS}, got {args.workers}")
    if args.workers > cpus and not args.oversubscribe:
        raise UsageError(f"--workers {args.workers} is more than the {cpus} CPUs of this "
                         "machine; add --oversubscribe to allow it")


def _check_values(args, config, tasks):
    """The user's functions called once at the points; f and f' finite there."""
    def points_of(target):
        return np.asarray(config.x if config.x is not None else [target.default_x], float)

    if args.func:
        points = points_of(config.targets[-1])
        probe_function(load_callable(args.func, "--func"), points, f"--func {args.func}")
        if args.exact:
            probe_function(load_callable(args.exact, "--exact"), points,
                           f"--exact {args.exact}")
    for target in config.targets:
        check_reference(target, points_of(target), config.deriv)
        for dtype in config.dtypes:
            rounded = points_of(target).astype(dtype)
            with np.errstate(over="ignore"):
                largest = np.asarray(config.eps_max, dtype=dtype)
                collapsed = rounded[rounded + largest == rounded]
            if collapsed.size:
                raise UsageError(f"at x={float(collapsed[0]):g} in {dtype}, x + eps == x for "
                                 f"every step up to --eps-max {config.eps_max:g}: no step "
                                 "moves x; raise --eps-max or choose a smaller x")


def _selected_studies(values):
    """Names of the studies chosen with --studies (empty: all), checked against the registry."""
    names = _split(values, "--studies")
    if not names or names == ["all"]:
        return ()
    known = [study.name for study in studies.STUDIES]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(f"--studies: unknown study {unknown[0]!r}; valid studies: "
                         f"{', '.join(known)}")
    return tuple(names)


def _run_id(root):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    candidate, number = root / stamp, 2
    while candidate.exists():
        candidate, number = root / f"{stamp}-{number}", number + 1
    return candidate


def _say(quiet, message):
    if not quiet:
        print(message, file=sys.stderr)


@contextmanager
def _terminate_as_interrupt():
    """While the command runs, SIGTERM raises `Terminated` and SIGINT KeyboardInterrupt.

    SIGINT is handled even where the shell started the command with it
    ignored (a background job), so that it always stops the run cleanly.
    """
    def handler(signum, frame):
        raise Terminated()

    try:
        previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, handler),
                    signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler)}
    except ValueError:  # not the main thread: signals stay as they are
        yield
        return
    try:
        yield
    finally:
        for number, action in previous.items():
            signal.signal(number, action)


def main(argv=None):
    """Run the command; returns the exit status (see `EXIT_CODES`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    with _terminate_as_interrupt():
        try:
            if argv[:1] == ["render"]:
                return _main_render(argv[1:])
            return _main_run(argv)
        except Terminated:
            return _fail(143, "terminated; nothing was written")
        except KeyboardInterrupt:
            return _fail(130, "interrupted; nothing was written")


def _main_run(argv):
    target = None
    try:
        args = build_parser().parse_args(argv)
        config = _config(args, argv)
        target = Path(args.out) if args.out else _run_id(Path("reports"))
        check_target(target, force=args.force)
    except (ValueError, TypeError) as error:
        return _fail(2, error)
    from .pipeline import run_analysis  # matplotlib is imported only for real runs

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outcome = run_analysis(config, target, force=args.force)
    except Terminated:
        return _fail(143, f"terminated; nothing was written to {target}")
    except KeyboardInterrupt:
        return _fail(130, f"interrupted; nothing was written to {target}")
    except TargetError as error:  # another process wrote the target meanwhile
        return _fail(2, error)
    except BaseException as error:  # noqa: BLE001 - input checked: any other error is a failure
        return _fail(3, f"{type(error).__name__}: {error}; nothing was written to {target}")
    for note in (*outcome.notes, *_warning_notes(caught)):
        print(f"analysis: warning: {note}", file=sys.stderr)
    timings = outcome.timings
    _say(args.quiet, f"analysis: done in {timings.get('total', 0):.1f} s "
                     f"(figures {timings.get('figures', 0):.1f} s, report "
                     f"{timings.get('report', 0):.1f} s); open "
                     f"{outcome.directory / 'report.html'}")
    print(outcome.directory)
    return 1 if outcome.faults else 0


def _warning_notes(caught):
    """Warnings raised during the run, each once, as one-line notes (never Python's format)."""
    texts = (f"{w.category.__name__}: {' '.join(str(w.message).split())}" for w in caught)
    return tuple(dict.fromkeys(texts))


def _main_render(argv):
    try:
        args = _render_parser().parse_args(argv)
    except (ValueError, TypeError) as error:
        return _fail(2, error)
    from .pipeline import render_run
    from .run_folder import DamagedRunError

    if not args.run_dir.strip():
        return _fail(2, "render: RUN_DIR must not be empty")
    directory = Path(args.run_dir)
    if not directory.is_dir():
        return _fail(2, f"render: {directory} is not a folder")
    try:
        render_run(directory)
    except Terminated:
        return _fail(143, f"terminated; {directory} is unchanged")
    except KeyboardInterrupt:
        return _fail(130, f"interrupted; {directory} is unchanged")
    except (DamagedRunError, TargetError) as error:
        return _fail(2, f"render: {error}; {directory} is unchanged")
    except BaseException as error:  # noqa: BLE001
        return _fail(3, f"render: {type(error).__name__}: {error}; {directory} is unchanged")
    _say(args.quiet, f"analysis: re-rendered {directory / 'report.html'}")
    print(directory)
    return 0


def _fail(code, message):
    text = " ".join(str(message).split())  # one line
    print(f"analysis: error: {text}" if code < 130 else f"analysis: {text}", file=sys.stderr)
    if os.environ.get("ANALYSIS_TRACEBACK") and isinstance(message, BaseException):
        raise message
    return code
