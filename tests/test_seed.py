"""The seed document's program and printed numbers are a specification."""

import contextlib
import io

import numpy as np

from numdiff import Exp, Function, Square, Variable, numerical_diff

SEED_PROGRAM = '''
import numpy as np
from numdiff import Variable, Function, Square, Exp, numerical_diff

f = Square()
x = Variable(np.array(2.0))
dy = numerical_diff(f, x)
print(dy)

def f(x):
    A = Square()
    B = Exp()
    C = Square()
    return C(B(A(x)))

x = Variable(np.array(0.5))
dy = numerical_diff(f, x)
print(dy)
'''


def test_seed_program_prints_the_published_numbers():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(SEED_PROGRAM, "seed", "exec"), {})
    assert out.getvalue().splitlines() == ["4.000000000004", "3.2974426293330694"]


def test_seed_formula_is_reproduced_bit_for_bit():
    def seed_numerical_diff(f, x, eps=1e-4):
        x0 = Variable(x.data - eps)
        x1 = Variable(x.data + eps)
        y0 = f(x0)
        y1 = f(x1)
        return (y1.data - y0.data) / (2 * eps)

    def composite(x):
        return Square()(Exp()(Square()(x)))

    rng = np.random.default_rng(7)
    for point in rng.uniform(-2, 2, 50):
        for eps in (1e-2, 1e-4, 1e-7, 1e-10):
            x = Variable(np.array(point))
            assert numerical_diff(composite, x, eps) == seed_numerical_diff(composite, x, eps)


def test_function_base_class_and_variable():
    with np.testing.assert_raises(NotImplementedError):
        Function()(Variable(np.array(1.0)))
    y = Exp()(Square()(Variable(np.array(1.5))))
    assert isinstance(y, Variable)
    assert y.data == np.exp(1.5 ** 2)
    assert np.asarray(Variable(np.arange(3.0))).tolist() == [0.0, 1.0, 2.0]


def test_seed_api_accepts_numbers_arrays_and_plain_callables():
    assert np.isclose(numerical_diff(Square(), 2.0), 4.0)
    assert np.allclose(numerical_diff(Square(), np.array([1.0, 3.0])), [2.0, 6.0])
    assert np.isclose(numerical_diff(np.exp, Variable(np.array(0.0))), 1.0)
    assert np.isclose(numerical_diff(lambda v: v ** 3, 1.0), 3.0)
