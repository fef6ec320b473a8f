"""The tableau of `numdiff.derivative`: base estimates, their rounding bound, the best entry.

`base_estimates` evaluates the scheme at the tableau's steps with whole-array
calls of ``f``; `rounding_bound` bounds the rounding the top entry carries;
`best_entries` takes the top entry where truncation is resolved and searches
the whole tableau (`numdiff.richardson`) elsewhere. The method and its
constants are described in ``docs/method.md``.
"""

from dataclasses import dataclass

import numpy as np

from .richardson import _extrapolate, entry_weights
from .theory import machine_epsilon, value_scale


@dataclass(frozen=True)
class Tableau:
    """Estimates at the steps ``h0 / r^k`` (rows) and what was read from them.

    `table` has shape ``(K,) + points.shape``; `noise` is the noise per
    evaluation a step rule measured or the caller gave (or None); `rounding`
    the rounding part of the top entry's error estimate (`rounding_bound`);
    `best` the best entries (`best_entries`); `level` the rounding level
    ``eps F`` of a value of ``f`` where `noise` is given (else None);
    `nominal` its `NominalRows` (`nominal_rows`), or None.
    """

    table: np.ndarray
    h0: object
    noise: object
    rounding: object
    best: object
    level: object = None
    nominal: object = None


def evaluate_tableau(plan, sample, points, h0, noise=None):
    """The `Tableau` of `plan` at the initial step(s) `h0`: ``f`` called, estimates read."""
    nominal = nominal_rows(plan, points, h0)
    table, scale = base_estimates(plan, sample, points, h0,
                                  0 if nominal is None else nominal.rows)
    return read_tableau(plan, table, scale, h0, noise, nominal)


def nominal_rows(plan, points, h0):
    """The `NominalRows` of the tableau, or None: they need one step for all elements."""
    if plan.nominal_rows and np.ndim(h0) == 0:
        return NominalRows(plan.nominal_rows, plan.steps(h0), points)
    return None


def read_tableau(plan, table, scale, h0, noise, nominal):
    """The `Tableau` of the base estimates `table` and their value scale `scale`."""
    level = None if noise is None else scale * table.dtype.type(machine_epsilon(table.dtype))
    rho = rounding_bound(plan, table, scale, h0, noise)
    return Tableau(table, h0, noise, rho, best_entries(plan, table, rho, nominal), level,
                   nominal)


def base_estimates(plan, sample, points, h0, nominal=0):
    """``D(h0 / r^k)`` for k < levels, stacked, and ``max |f|`` at the smallest step.

    The smallest step's values stand for ``|f|`` near ``x``: the rounding of
    the extrapolated entries is dominated by their largest weights, on the
    smallest steps. The first `nominal` rows of the central difference hold
    ``f(x+h) - f(x-h)`` alone, to be divided by ``2h`` (`NominalRows`).
    """
    dtype, levels, spec, deriv = points.dtype, plan.levels, plan.scheme, plan.deriv
    scale, centre = None, None
    central = plan.plain_central
    if central:
        # One block for the tableau and the buffers of x + h and x - h: fewer,
        # larger allocations, which the C allocator (glibc's, at least) then
        # keeps for the next call instead of handing the pages back to the
        # system; fresh pages cost a fault each on first use, about as much
        # as the arithmetic on them.
        work = np.empty((levels + 2,) + points.shape, dtype=dtype)
        table, above, below = work[:levels], work[levels], work[levels + 1]
    else:
        table = np.empty((levels,) + points.shape, dtype=dtype)
    for k, h in enumerate(plan.steps(h0)):
        last = k == levels - 1
        if central:
            # (f(x+h) - f(x-h)) / ((x+h) - (x-h)) in place: the step actually
            # taken (Numerical Recipes 3rd ed., §5.7); the nominal rows undivided.
            found = spec.evaluate(sample, points, h, deriv, divide=None if k < nominal
                                  else "taken", measure=last, out=table[k, ...],
                                  work=(above, below))
            if last:
                scale = scale_of(found, points, deriv, h, scratch=above)
        else:
            found = spec.evaluate(sample, points, h, deriv, centre=centre, measure=last)
            table[k], centre = found.estimate, found.centre
            if last:
                scale = scale_of(found, points, deriv, h)
    return table, scale


@dataclass(frozen=True)
class NominalRows:
    """The leading `rows` of a tableau that hold ``f(x+h) - f(x-h)`` (`count_nominal_rows`).

    `steps` are the tableau's steps (one for all elements), `points` its
    points.
    """

    rows: int
    steps: list
    points: np.ndarray

    def weights(self, combinations):
        """`combinations` over the rows with ``1 / (2h)`` folded into the nominal rows."""
        combinations = np.array(combinations)
        for k in range(self.rows):
            combinations[..., k] /= 2 * self.steps[k]
        return combinations

    def restore(self, table, where):
        """Divide the nominal rows by the step actually taken, ``(x+h) - (x-h)``, at `where`."""
        where = where.reshape(-1)
        points = np.broadcast_to(self.points, table.shape[1:]).reshape(-1)[where]
        flat = table.reshape(table.shape[0], -1)
        for k in range(self.rows):
            h = self.steps[k]
            flat[k, where] /= (points + h) - (points - h)


def scale_of(found, points, deriv, h, scratch=None):
    """The value scale ``F`` of a `numdiff.evaluator.StencilEstimate` (`numdiff.theory.value_scale`).

    The step actually taken (`divide="taken"`) adds nothing for the shifts;
    the complex step's scale is the estimate's own size.
    """
    if found.slope is None:
        return found.scale
    if found.values is None:  # divided by the step actually taken
        return value_scale(found.scale, points, found.estimate, scratch=scratch)
    slope = found.estimate if deriv == 1 else found.slope
    return value_scale(found.scale, points, slope, shifted_by=h)


def difference_row(spec, sample, points, h, deriv, centre):
    """One difference estimate at steps `h`, and its value scale (`scale_of`).

    The central difference divides by ``(x + h) - (x - h)``, the step
    actually taken, as `base_estimates` does, so that a refined element
    gets the same values as it would in a first round at that step.
    """
    numerics = {"divide": "taken"} if spec.step_taken(deriv) else {"centre": centre}
    found = spec.evaluate(sample, points, h, deriv, measure=True, **numerics)
    return found.estimate, scale_of(found, points, deriv, h)


def rounding_bound(plan, table, scale, h0, noise):
    """The rounding part of the top entry's error estimate, in place on `scale`.

    ``plan.top_rounding_weight`` times a bound ``rho`` on the rounding error
    of the first row's estimates (step `h0`). Real stencils:
    ``rho = u F sum|c_i| / h0^q``, ``F`` the value scale at the smallest step
    (`numdiff.theory.value_scale`), or the measured noise per evaluation where larger;
    the complex step: ``rho = u |D|`` (no cancellation).
    """
    dtype = table.dtype
    u = machine_epsilon(dtype)
    weight, q = plan.top_rounding_weight, plan.rounding_power
    rho = scale
    if noise is not None:
        rho *= dtype.type(u)
        rho = np.maximum(rho, noise)
        rho *= dtype.type(plan.weight_sum * weight)
    elif np.ndim(h0) == 0:
        rho *= dtype.type(u * plan.weight_sum * weight) / h0 ** q if q else \
            dtype.type(u * plan.weight_sum * weight)
        return rho
    else:
        rho *= dtype.type(u * plan.weight_sum * weight)
    if q:
        rho /= h0 ** q if q > 1 else h0
    return rho


@dataclass(frozen=True)
class Entries:
    """The best tableau entry per element, and what the refinement needs to know.

    ``row`` and ``column`` are None when every element kept the top entry;
    ``unresolved`` marks where the top entry's truncation was not resolved
    (its distance above its rounding part, or not finite); ``top_rounding``
    is the rounding part of the top entry's error estimate; ``searched``
    marks the elements searched (None if none was), ``evidence`` where the
    base estimates converge at the smallest steps (`converging`; None if
    none was searched: the top entry resolved is evidence enough).
    """

    estimate: object
    error: object
    row: object
    column: object
    unresolved: object
    top_rounding: object
    searched: object = None
    evidence: object = None

    def placed(self, levels):
        """``(row, column)`` per element, the top entry's ``levels - 1`` where None."""
        if self.row is None:
            top = np.full(np.shape(self.estimate), levels - 1)
            return top, top
        return self.row, self.column


def best_entries(plan, table, rounding, nominal=None):
    """The top tableau entry where it is trusted, else the full Ridders search.

    Returns an `Entries` whose ``row`` and ``column`` are None when every
    element kept the top entry.

    The highest-order entry ``T[K-1, K-1]`` and its distance to
    ``T[K-1, K-2]`` are computed directly from their weights (`combine`, one
    read of the tableau). Where that distance is below the rounding part of the
    estimate, truncation is resolved and the top entry is the best one;
    elsewhere, and where anything is not finite, the whole tableau is searched
    for the entry of smallest estimated error (`numdiff.richardson`). Both
    give the same estimate and error for the top entry. `rounding` is the
    rounding part of the top entry's estimate (`rounding_bound`); `nominal`, a
    `NominalRows`, says which rows hold differences for the nominal step.
    Where every base estimate is the same nonzero number (`exact_elements`),
    that number is the estimate and its error estimate the first row's
    rounding bound.
    """
    levels, ratio = table.shape[0], plan.ratio
    exact = exact_elements(table, nominal)
    combinations = plan.combinations if nominal is None else \
        nominal.weights(plan.combinations)
    value, error = combine(table, combinations)
    np.abs(error, out=error)
    resolved = error <= rounding
    # The sum is finite only if every value is (or it overflows: then the
    # search below decides); one pass, no temporary.
    if resolved.all() and np.isfinite(np.sum(value)):
        error += rounding
        set_exact(exact, table, value, error, rounding, plan)
        return Entries(value, error, None, None, None, rounding)
    resolved &= np.isfinite(value)
    search = ~resolved
    if nominal is not None:
        nominal.restore(table, search)
    weights = entry_weights(levels, float(ratio), plan.order, plan.order_step,
                            plan.rounding_power)
    truncation = top_truncation(table[:, search], error[search], weights, levels)
    unresolved = np.zeros(value.shape, dtype=bool)
    unresolved[search] = ~(truncation <= rounding[search])
    error += rounding
    row = np.full(value.shape, levels - 1, dtype=np.int64)
    column = np.full(value.shape, levels - 1, dtype=np.int64)
    found = _extrapolate(table[:, search], float(ratio), plan.order, plan.order_step,
                         rounding[search] / table.dtype.type(plan.top_rounding_weight),
                         plan.rounding_power)
    value[search], error[search] = found.estimate, found.error
    row[search], column[search] = found.row, found.column
    set_exact(exact, table, value, error, rounding, plan)
    evidence = np.ones(value.shape, dtype=bool)
    evidence[search] = converging(plan, table[:, search], rounding[search])
    if exact is not None:
        evidence |= exact
    return Entries(value, error, row, column, unresolved, rounding, search, evidence)


#: Base estimates converge at order ``p`` when successive differences fall by
#: ``r^p``; a fall by ``r^(p - 1/2)`` or more is taken as that (a kink inside
#: the stencil gives ``r^1`` or less, noise ``r^-q``, a smooth ``f`` near
#: the asymptotic regime ``r^p``).
CONVERGENCE_SLACK = 0.5
#: Differences below this multiple of the rows' rounding bound are rounding.
ROUNDING_DIFFERENCES = 2.0


def converging(plan, table, rounding):
    """Whether the base estimates converge at the smallest steps: a mask.

    With ``d1 = |D(h_(K-2)) - D(h_(K-3))|`` and ``d2 = |D(h_(K-1)) -
    D(h_(K-2))|``, the last two differences of the first column, a base
    scheme of order ``p`` has ``d1 / d2 = r^p`` where its expansion holds.
    Evidence of convergence is ``d1 >= r^(p - CONVERGENCE_SLACK) d2``, or
    ``d2`` within `ROUNDING_DIFFERENCES` times the rounding bound of the
    last rows (``rounding / plan.top_rounding_weight`` is the first row's
    bound ``rho``; the row ``k`` carries ``rho r^(q k)``). Without it the
    tableau has no grounds for convergence: a kink or jump within reach of
    the smallest steps, or noise.
    """
    levels = table.shape[0]
    if levels < 3:
        return np.isfinite(table).all(axis=0)
    dtype = table.dtype
    ratio = dtype.type(plan.ratio)
    d1 = np.abs(table[-2] - table[-3])
    d2 = np.abs(table[-1] - table[-2])
    rho = rounding / dtype.type(plan.top_rounding_weight) * \
        ratio ** dtype.type(plan.rounding_power * (levels - 1))
    falling = d1 >= d2 * ratio ** dtype.type(plan.order - CONVERGENCE_SLACK)
    return falling | (d2 <= dtype.type(2 * ROUNDING_DIFFERENCES) * rho)


def exact_elements(table, nominal):
    """Where every base estimate ``D(h0 / r^k)`` is the same nonzero number: a mask, or None.

    Truncation then changes nothing at any of the steps: ``f`` is, to
    rounding, a polynomial of degree 2 or less (central) or 1 (one-sided),
    and extrapolation has nothing to remove. Rounding errors that behave
    like noise would make the estimates differ (``K`` equal values by chance
    are vanishingly rare); what remains is the first estimate's own
    rounding, which may be the same at every step: for ``t*t`` at
    ``t = -111/61`` the two squares' rounding errors differ by an amount
    proportional to ``h``, and every estimate is off by the same two units.
    So the first row's rounding bound is the error estimate (`set_exact`),
    not the top entry's, which extrapolation amplifies. (At binary fractions
    ``t*t`` is exact, and this bound is what is left of the estimate.)
    Estimates that are all 0 are left out: ``f(x + h)`` and ``f(x - h)`` may
    then be equal only because ``f`` varies by less than its rounding. The
    nominal-step rows hold differences (`NominalRows`): they are compared with
    ``2h D``, exact where ``2h`` is a power of two (otherwise the test fails,
    which only keeps the usual estimate). One comparison settles it where the
    last two rows already differ, as they do for any ``f`` with truncation
    or noise.
    """
    levels = table.shape[0]
    last = table[-1]
    same = table[-2] == last
    if not same.any():
        return None
    same &= last != 0
    for k in range(levels - 2):
        if nominal is not None and k < nominal.rows:
            same &= table[k] == last * (2 * nominal.steps[k])
        else:
            same &= table[k] == last
    return same if same.any() else None


def set_exact(exact, table, value, error, rounding, plan):
    """The common value and the first row's rounding bound where `exact` (`exact_elements`).

    `rounding` is the top entry's rounding part, ``plan.top_rounding_weight``
    times the first row's bound (`rounding_bound`).
    """
    if exact is not None:
        value[exact] = table[-1][exact]
        error[exact] = rounding[exact] / table.dtype.type(plan.top_rounding_weight)


def top_truncation(table, distance, weights, levels):
    """Predicted truncation error of the top entry, from the decay along the last row.

    ``d1 = |T[K-1,K-1] - T[K-1,K-2]|`` is the error of ``T[K-1,K-2]``, and
    ``d2 = |T[K-1,K-2] - T[K-1,K-3]|`` that of ``T[K-1,K-3]``; where the row
    converges geometrically the next error, the top entry's, is about
    ``d1 * (d1 / d2)``. Where it does not (``d1 >= d2``: the steps are too
    large for the expansion to hold) the prediction is ``d1`` itself.
    """
    if levels < 3:
        return distance
    lower, _ = weights[(levels - 1, levels - 2)]
    third, _ = weights[(levels - 1, levels - 3)]
    previous = np.abs(combine(table, lower - third))
    return np.where(distance < previous, distance * (distance / previous), distance)


def combine(table, weights):
    """The combinations ``sum_k w[k] table[k]`` for each row ``w`` of `weights`, stacked.

    One `numpy.einsum` reads the tableau once for all the combinations,
    instead of a pass per term and combination. Its inner loop
    runs over the elements, each summing its terms in the order of the rows,
    so an element's result does not depend on the others or on the array's
    size; a single element is computed as two (an einsum over one element
    would loop over the terms instead and may sum them in another order).
    A BLAS product (`numpy.matmul`) gives no such guarantee.
    """
    if table.dtype.type.__module__ != "numpy":
        # einsum has no loops for the ml_dtypes formats: their combinations are
        # formed in float32, more precise than they are, and rounded back.
        return combine(table.astype(np.float32), weights).astype(table.dtype)
    rows = table.shape[0]
    weights = np.asarray(weights, dtype=table.dtype)
    shape = weights.shape[:-1] + table.shape[1:]
    # Rows of zero weight in every combination are left out, so that a NaN
    # or inf there does not spread.
    flat = table.reshape(rows, -1)
    if not weights.all():
        used = np.flatnonzero(np.any(weights.reshape(-1, rows) != 0, axis=0))
        if used.size == 0:
            return np.zeros(shape, dtype=table.dtype)
        flat, weights = flat[used], weights[..., used]
    single = flat.shape[1] == 1
    if single:
        flat = np.repeat(flat, 2, axis=1)
    with np.errstate(invalid="ignore", over="ignore"):
        product = np.einsum("...k,kn->...n", weights, flat)
    if single:
        product = product[..., :1]
    return product.reshape(shape)


def all_within_tolerance(df, error, rtol, atol, extremes):
    """Whether ``error <= atol + rtol |df|`` everywhere.

    Decided from the extremes ``(min df, max df)`` and ``max(error)`` where
    ``max(error)`` is within the tolerance of the smallest ``|df|`` (no
    temporary arrays), else element by element.
    """
    low, high = extremes
    smallest = low if low > 0 else (-high if high < 0 else 0)
    if error.max() <= rtol * smallest + atol:
        return True
    return bool(within_tolerance(df, error, rtol, atol).all())


def within_tolerance(df, error, rtol, atol, *, size=None):
    """``error <= atol + rtol |df|`` (False where anything is NaN); `size` is ``|df|`` if known."""
    tolerance = (np.abs(df) if size is None else size) * df.dtype.type(rtol)
    if atol:
        tolerance += df.dtype.type(atol)
    return error <= tolerance
