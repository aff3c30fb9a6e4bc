"""Normalisation of recognised speech and typed text, and unusable input."""
import pytest

from bot.kernel.contract import InputProblem, input_problem, normalize


@pytest.mark.parametrize("raw,clean", [
    ("我 要 订 午 饭", "我要订午饭"),
    ("  明天  中午 ", "明天中午"),
    ("我要\x00订\x07饭", "我要 订 饭".replace(" ", "")),
    ("１２３４", "1234"),
    ("订\x1b[A饭\x1b[31m", "订饭"),
    ("我要 2 份", "我要 2 份"),
    ("hello  world", "hello world"),
    ("", ""),
    (None, ""),
])
def test_normalize(raw, clean) -> None:
    assert normalize(raw) == clean


@pytest.mark.parametrize("text,problem", [
    ("", InputProblem.EMPTY),
    ("   ", InputProblem.EMPTY),
    ("😀😀👍", InputProblem.EMPTY),
    ("？？？！！", InputProblem.EMPTY),
    ("\x00\x01\x02", InputProblem.EMPTY),
    ("\x00\x01\x02\x1b[31m\x1b[A", InputProblem.EMPTY),
    ("好" * 301, InputProblem.TOO_LONG),
    ("what can you do", InputProblem.NOT_CHINESE),
    ("'; DROP TABLE residents; --", InputProblem.NOT_CHINESE),
    ("*0æ", InputProblem.NOT_CHINESE),
    ("Привет", InputProblem.NOT_CHINESE),
    ("你好", None),
    ("我要订2份饭", None),
    ("嗯……那个……啥来着", InputProblem.HESITATION),
    ("哎呀就是那个，那个嘛", InputProblem.HESITATION),
    ("呃呃 嗯 那个谁", InputProblem.HESITATION),
    ("嗯", None),  # a bare 嗯 is a yes
    ("嗯嗯", None),
    ("那个菜太咸了", None),
    ("这个月的补贴", None),
    ("120", None),
    ("1234", None),
])
def test_input_problem(text, problem) -> None:
    assert input_problem(text, max_chars=300) == problem
