"""Words of the frauds that target old people: a call for money, a stranger at the door, a sales pitch.

Checked after the emergency words (a danger always wins) and before the classifier's answer is kept:
the warning must not depend on a model's confidence any more than an emergency does.
"""
from __future__ import annotations

import re
from typing import Optional

_PATTERNS = {
    # A call or message asking for money: a grandchild in trouble, the police, a prize, a "safe account".
    "call": re.compile(r"安全账户|公检法|检察院|法院.{0,6}(电话|通知)|公安.{0,8}(账户|转账|汇款)|洗钱|验证码|"
                       r"(转账|打钱|汇款|汇钱|打款).{0,10}(过去|给他|给她|给对方|到)|"
                       r"(孙子|孙女|外孙|儿子|闺女|女儿).{0,12}(撞了人|出车祸|出事|被抓|住院|打架).{0,14}(钱|打款|转)|"
                       r"中奖|领奖|奖金.{0,6}(手续费|税)|保证金|冒充"),
    # A stranger at the door claiming to check or fix something, and asking for money.
    "door": re.compile(r"(门口|上门|敲门).{0,14}(燃气公司|煤气公司|自来水公司|电力公司|检查|查燃气|查煤气|换阀门|换管子)|"
                       r"(燃气|煤气).{0,6}公司.{0,12}(收|换|交钱|罚款)|不换就.{0,4}停(气|水|电)"),
    # Free gifts for a lecture that ends in selling "medicine" or health products.
    "product": re.compile(r"(讲座|课).{0,10}(送|白送|免费领).{0,4}(鸡蛋|礼品|大米|油)|(白送|免费领|送)鸡蛋|"
                          r"保健品|包治|能治(好)?(高血压|糖尿病|癌)|神药"),
}


def match_scam(text: Optional[str]) -> Optional[str]:
    """The kind of fraud these words describe ("call", "door", "product"), or None."""
    for kind, pattern in _PATTERNS.items():
        if pattern.search(text or ""):
            return kind
    return None


# What every fraud story has in it: money, a bank, a call or message, a stranger, an official, a prize,
# a pitch. The classifier learnt frauds from long stories, so it also hears them in long requests for
# help at home; a guess of fraud with none of these words is no fraud ("这屋子埋汰得不行了…找个人来拾掇").
_HINT = re.compile(r"(打|转|汇|借|要|寄|赔|罚|给)钱|交(个|点)?钱.{0,3}(才|就)|先交|转账|汇款|打款|账户|账号|银行|"
                   r"卡号|存款|验证码|密码|电话|短信|微信|视频|陌生|自称|冒充|冒用|骗|"
                   r"中奖|大奖|奖品|手续费|保证金|罚款|检测费|交费|收费|讲座|保健品|推销|神药|特效药|鸡蛋|礼品|"
                   r"公安|警察|派出所|检察院|法院|调查|涉嫌|查水表|物业的|燃气公司|煤气公司|快递|包裹|理财|投资|回报")


def could_be_fraud(text: Optional[str]) -> bool:
    """The words a fraud story cannot do without are there (the classifier's guess may stand)."""
    return bool(_HINT.search(text or ""))
