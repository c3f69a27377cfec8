"""智能派单 in the demo: the model trained on the catalog and the year of cases (training gives the cases waiting
in the command centre its guesses), and this morning's reports routed by it (the clear ones dispatched at once
to the department's person on duty, one of them returned as wrong), and the 语义复核 of the cases left waiting."""

from __future__ import annotations

from jiceng.orgs.models import Region
from jiceng.routing.actions import train_routing_model

from .. import actions
from ..models import Case, Channel
from .stories import GRID_VILLAGE

KEY = "demo-routing-"
# (channel, title, text): reports as people write them, none naming its matter.
REPORTS = [
    (Channel.GRID, "麦地里有人打地基", "{v}3组村民在自家承包的麦地里打地基、拉钢筋，准备盖房，已劝阻未停。"),
    (Channel.GRID, "河边有人烧塑料垃圾", "{v}河堤边有人焚烧废塑料和旧轮胎，黑烟很大，焦臭味熏到村里。"),
    (Channel.HOTLINE, "工地夜里施工太吵", "{v}旁边工地每天晚上十一点后还在打桩，噪音太大睡不着，希望管一管。"),
    (Channel.HOTLINE, "低保申请不知道怎么办", "家里老人重病，想问问{v}这边怎么申请低保，需要带什么材料。"),
    (Channel.ONLINE, "村里路面塌了个大坑", "{v}通往镇上的水泥路中间塌了一个大坑，晚上骑电动车很危险。"),
    (Channel.GRID, "有人电鱼", "{v}东边河沟里有人背着电瓶电鱼，鱼虾死了一大片。"),
    (Channel.HOTLINE, "反映个情况", "{v}那边的事情一直没人管，麻烦你们派人来看看。"),
]


def seed() -> list[str]:
    if Case.objects.filter(idempotency_key__startswith=KEY).exists():
        return []
    model = train_routing_model(by=None, reason="命令行")
    village = Region.objects.filter(name=GRID_VILLAGE, level=5).select_related("parent").first()
    auto = []
    for n, (channel, title, text) in enumerate(REPORTS):
        case, _ = actions.register_case(
            channel=channel,
            title=title,
            text=text.format(v=village.name),
            township=village.parent,
            village=village,
            address=f"{village.name}{n + 1}组",
            idempotency_key=f"{KEY}{n}",
        )
        # Like every demo case: registered at the moment of its first event.
        case.events.filter(action="register").update(at=case.created_at)
        if case.auto_dispatched:
            auto.append(case)
    # One clear-looking report went to the wrong department, which returns it: the figures count it as wrong.
    wrong = next((c for c in auto if c.title == "工地夜里施工太吵"), None)
    if wrong is not None:
        actions.return_case(wrong, reason="经现场核实不属于本单位职责，请指挥中心重新派单", by=None)
    # What the worker does within a round: 语义复核 of the cases waiting for the command centre.
    refined = actions.refine_suggestions(limit=1000)
    return [
        f"智能派单模型：v{model.version}，训练样本{model.training_size}条",
        f"今晨上报{len(REPORTS)}件，自动派单{len(auto)}件，其余待指挥中心确认",
        *([f"语义复核待派单办件{refined}件"] if refined else []),
    ]
