"""Which activity a resident means: the words of kinds and titles they use."""
from __future__ import annotations

from typing import List, Tuple

# Spoken word -> words looked for in an activity's title or kind.
_SPOKEN = (
    ("义诊", ("义诊",)), ("看病", ("义诊",)), ("量血压", ("义诊", "血压")), ("血压", ("血压", "义诊")),
    ("血糖", ("血糖", "义诊")), ("体检", ("体检",)), ("检查身体", ("体检",)),
    ("防诈骗", ("诈骗",)), ("反诈", ("诈骗",)), ("诈骗", ("诈骗",)), ("骗子", ("诈骗",)), ("讲座", ("讲座",)),
    ("智能手机", ("手机",)), ("手机", ("手机",)), ("微信", ("微信", "手机")), ("视频", ("视频", "手机")),
    ("老年大学", ("老年大学",)), ("书法", ("书法",)), ("写字", ("书法",)), ("太极", ("太极",)),
    ("象棋", ("象棋", "棋")), ("下棋", ("棋",)), ("乒乓", ("乒乓",)), ("唱歌", ("唱歌", "合唱")),
    ("跳舞", ("舞",)), ("广场舞", ("舞",)), ("画画", ("画",)),
)


def wanted_words(text: str) -> Tuple[str, ...]:
    """What to look for in titles, from what was said ("最近有义诊吗" -> ("义诊",)); empty: any activity."""
    found: List[str] = []
    for spoken, looked_for in _SPOKEN:
        if spoken in text:
            found.extend(word for word in looked_for if word not in found)
    return tuple(found)


def spoken_kind(text: str) -> str:
    """The first kind word said, to repeat it in an answer ("最近没有安排义诊")."""
    for spoken, _ in _SPOKEN:
        if spoken in text:
            return spoken
    return ""
