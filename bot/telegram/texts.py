"""Everything the Telegram channel itself says (the dialogue core says the rest)."""
from __future__ import annotations

WELCOME_UNLINKED = (
    "您好！我是小暖，社区的养老服务助手。\n"
    "绑定老人以后，您可以替老人订餐、约上门服务、查和取消预订；老人那边有紧急情况，我会马上告诉您。\n"
    "请把老人给您的6位家属绑定码发给我（老人在家里的小暖上说“生成家属绑定码”就有，也可以请社区工作人员生成）。\n"
    "没绑定也可以问政策，比如“高龄津贴怎么领”。"
)
WELCOME_LINKED = (
    "您好，{name}！您现在代{parent}办事。\n"
    "可以直接打字或发语音，比如“帮我妈订明天的午饭”“约个助浴”“我妈订了什么”。\n"
    "/parent 换一位老人　/unlink 解除绑定　/voice on 回复时也发语音"
)
HELP = (
    "我能帮您：订餐、约上门服务、查和取消预订、问养老政策。\n"
    "绑定新老人：把6位绑定码发给我。\n"
    "/parent 换一位老人\n/unlink 解除绑定\n/voice on 或 /voice off：回复时发不发语音\n"
    "/daily 20：每天晚上8点发老人当天的情况（/daily off 不发）"
)

LINK_OK = "绑定好了！您现在代{parent}办事。老人那边有紧急情况、预订有变化，我都会告诉您。"
LINK_ALREADY = "您已经绑定过{parent}了，现在代{parent}办事。"
LINK_WRONG = "这个绑定码不对，请核对一下再发。还可以试{left}次。"
LINK_EXPIRED = "这个绑定码已经过期了（24小时内有效）。请让老人或社区工作人员重新生成一个。还可以试{left}次。"
LINK_USED = "这个绑定码已经用过了，每个码只能用一次。请让老人或社区工作人员重新生成一个。还可以试{left}次。"
LINK_TOO_MANY = "输错的次数太多了，请一小时后再试。需要帮忙请打社区电话{phone}。"

PARENT_NONE = "您还没有绑定老人。请把老人给您的6位家属绑定码发给我。"
PARENT_CHOOSE = "您现在代{parent}办事。要换成哪一位？"
PARENT_NOW = "好的，现在代{parent}办事。"
PARENT_NOT_LINKED = "您没有绑定这位老人，不能替他办事。需要的话，请让老人给您一个绑定码。"
UNLINK_CHOOSE = "要解除和哪一位老人的绑定？解除以后就不能替他办事，也收不到他的消息了。"
UNLINK_DONE = "已经解除和{parent}的绑定。"
UNLINK_DONE_NEXT = "已经解除和{parent}的绑定。现在代{next}办事。"

VOICE_ON = "好的，以后回复时也会发语音。关掉请发 /voice off。"
VOICE_OFF = "好的，以后只发文字。"
VOICE_USAGE = "发 /voice on 打开语音回复，发 /voice off 关掉。"
VOICE_NEEDS_MODEL = "语音要装好中文语音识别模型才能听懂，现在还没有装。请直接打字告诉我，谢谢！"
VOICE_TOO_LONG = "这条语音太长了，请分成几句短的，每条一分钟以内。"
VOICE_HEARD = "我听到的是：“{text}”"

TOO_LONG = "消息太长了（超过{limit}个字），请分成几句短话发给我。"
TOO_FAST = "您发得太快了，我跟不上。请等一分钟再发，谢谢！"
EDITED = "修改过的消息我不会重新办理。如果要改，请直接发一条新消息，比如“不对，是后天”。"
UNSUPPORTED = "我只能看懂文字和语音。请打字或者发语音告诉我。"
UNKNOWN_COMMAND = "这个命令我不认识。\n" + HELP
BUTTON_EXPIRED = "这个按钮已经过期了。请直接打字告诉我您要做什么。"
CORE_DOWN = "小暖暂时连不上，请过一会儿再试。急事请打社区电话{phone}，紧急情况请拨打120。"
EMPTY_ANSWER = "我没有听明白，请换个说法。"

ALERT_ON_MY_WAY = "我在路上了"
ALERT_SEND_STAFF = "请工作人员上门"
ALERT_ACK_ON_MY_WAY = "好的，已经告诉社区工作人员：您正在赶过去。路上注意安全。"
ALERT_ACK_SEND_STAFF = "好的，已经请社区工作人员尽快上门。社区电话：{phone}。"
ALERT_NOT_YOURS = "这条求助不是您绑定的老人的，不能处理。"

REMINDER_CALLING = "我打电话问问"
REMINDER_SEND_STAFF = "请工作人员去看看"
REMINDER_ACK_CALLING = "好的，记下了：您会打电话问问。"
REMINDER_ACK_SEND_STAFF = "好的，已经请社区工作人员去看看。社区电话：{phone}。"
REMINDER_NOT_YOURS = "这条提醒不是您绑定的老人的，不能处理。"
