"""The category of an appeal guessed from what the reporter wrote: a small keyword model of the
taxonomy (no external service), so that a worker on patrol types one line and need not pick.

Each category of the seeded taxonomy has its words; a text scores the summed length of the words it
contains (a longer word says more: 垃圾桶 over 垃圾), and the best score wins, ties going to the
category listed first. A district that adds categories adds their words here; a category without
words is never suggested, and a text with no known word suggests nothing (the form then files it
under 其他)."""

from __future__ import annotations

from collections.abc import Iterable

FALLBACK = "other"

# Words of each category, space-separated (read once into tuples below).
_WORDS = {
    "safety_hazard": (
        "隐患 消防 火灾 着火 冒烟 烟味 燃气 煤气 漏气 漏电 电线 飞线 私拉 电动车充电 楼道充电 坠物 "
        "高空 裂缝 倒塌 塌陷 危房 灭火器 消防通道 堵塞通道 触电"
    ),
    "environment": (
        "垃圾 垃圾桶 卫生 脏 臭 异味 污水 粪便 蚊子 苍蝇 老鼠 蟑螂 杂物 堆放 清扫 清运 乱扔 油烟 绿化 "
        "树枝 落叶 野草 积水发臭"
    ),
    "roads_facilities": (
        "路灯 路面 道路 坑洼 井盖 破损 扶手 台阶 栏杆 护栏 楼梯 健身器材 下水道 排水 积水 地砖 围墙 "
        "座椅 公厕 水管 松动 坏了"
    ),
    "parking": ("停车 车位 乱停 占道 挡路 堵路 电动车 自行车 车辆 僵尸车 充电桩 违停 占用"),
    "property": ("物业 电梯 门禁 保安 停水 停电 漏水 维修基金 物业费 监控 对讲 水压 管道"),
    "neighbour_dispute": ("邻居 邻里 噪音 吵闹 扰民 纠纷 矛盾 吵架 宠物 狗 装修 楼上 楼下"),
    "elderly_care": ("老人 独居 养老 助餐 长者 失能 照护 高龄 助老 陪护 空巢"),
    "policy_question": ("政策 咨询 低保 医保 社保 补贴 办理 证明 申请 残疾证 养老保险 怎么办 在哪里办 手续"),
}
KEYWORDS: dict[str, tuple[str, ...]] = {code: tuple(words.split()) for code, words in _WORDS.items()}


def suggest(text: str, *, codes: Iterable[str] | None = None) -> str | None:
    """The code of the category that best fits `text`, among `codes` if given (the active ones), or
    None when no word of any category is in it."""
    text = (text or "").strip()[:2000]
    if not text:
        return None
    allowed = None if codes is None else set(codes)
    best, best_score = None, 0
    for code, words in KEYWORDS.items():
        if allowed is not None and code not in allowed:
            continue
        score = sum(len(word) for word in words if word in text)
        if score > best_score:
            best, best_score = code, score
    return best
