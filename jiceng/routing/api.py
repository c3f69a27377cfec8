"""智能派单 API: the model's suggestions for a report (派单员), and the model versions, train and roll back (指挥中心
网格管理). Training runs in the request: a few seconds to a minute, depending on the number of cases."""

from __future__ import annotations

from django.urls import re_path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.roles import Perm
from jiceng.catalog.models import Responsibility
from jiceng.catalog.resolve import Unresolvable, resolve, version_on
from jiceng.orgs.api import require
from jiceng.orgs.models import Region

from . import actions
from .models import Reason, RoutingModel
from .suggest import Suggestion, can_refine, refine, should_auto_dispatch, suggest


class RoutingSuggestIn(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text="反映内容（正文）")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="标题（可选）")
    township = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="乡镇（街道）12位区划代码，给出时按清单解析承办单位"
    )
    k = serializers.IntegerField(min_value=1, max_value=10, default=3, help_text="返回的事项数")
    refine = serializers.BooleanField(
        default=False, help_text="同时返回语义复核的建议（结合文意，每条多用数十毫秒；指挥中心看到的是复核后的建议）"
    )


class MatterSuggestionOut(serializers.Serializer):
    code = serializers.CharField(help_text="事项编码")
    name = serializers.CharField(help_text="事项名称（现行版本）")
    probability = serializers.FloatField(help_text="概率（全部事项之和为1）")
    words = serializers.ListField(child=serializers.CharField(), help_text="文本中最支持该事项的词")
    lead_unit = serializers.CharField(allow_null=True, help_text="主体责任单位（给出乡镇时为本乡镇的实际单位）")
    phrase = serializers.CharField(help_text="语义复核：清单中与反映内容意思最接近的表述；字词模型的建议为空")


class RoutingSuggestOut(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True, help_text="模型版本；尚未训练模型时为 null")
    auto = serializers.BooleanField(help_text="会自动派单：首选事项的概率达到阈值，且内容不笼统")
    vague = serializers.BooleanField(help_text="内容笼统（说不清是什么问题）：无论概率多高都不自动派单")
    suggestions = MatterSuggestionOut(many=True, help_text="字词模型的建议：登记时据此决定是否自动派单")
    refined = MatterSuggestionOut(many=True, help_text="语义复核后的建议（refine=true 且模型带语义复核时；否则为空）")


def _lead_unit(guess: Suggestion, township: Region | None) -> str | None:
    today = timezone.localdate()
    if township is not None:
        try:
            return resolve(guess.matter, township, today).lead.name
        except Unresolvable:
            pass
    version = version_on(guess.matter, today)
    lead = Responsibility.objects.filter(version=version, is_lead=True).select_related("catalog_unit").first()
    return lead.catalog_unit.name if lead else None


class Suggest(APIView):
    @extend_schema(request=RoutingSuggestIn, responses=RoutingSuggestOut, summary="按反映内容推荐事项")
    def post(self, request):
        require(request.user, Perm.DISPATCH_CASES)
        data = RoutingSuggestIn(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        township = None
        if params.get("township"):
            township = Region.objects.filter(code=params["township"], level=4).first()
            if township is None:
                raise serializers.ValidationError({"township": ["找不到该乡镇（街道）。"]})
        text = (params["title"], params["text"]) if params.get("title") else params["text"]
        guesses = suggest(text, k=params["k"])
        refined = refine([text], k=params["k"])[0] if params["refine"] and can_refine() else []

        def rows(found: list[Suggestion]) -> list[dict]:
            return [
                {
                    "code": g.matter.code,
                    "name": g.name,
                    "probability": round(g.probability, 4),
                    "words": list(g.words),
                    "lead_unit": _lead_unit(g, township),
                    "phrase": g.phrase,
                }
                for g in found
            ]

        body = {
            "version": guesses[0].version if guesses else None,
            "auto": should_auto_dispatch(guesses),
            "vague": bool(guesses) and guesses[0].vague,
            "suggestions": rows(guesses),
            "refined": rows(refined),
        }
        return Response(RoutingSuggestOut(body).data)


class RoutingModelOut(serializers.ModelSerializer):
    trained_by = serializers.SerializerMethodField(help_text="训练人；空为后台定时任务或命令行")

    class Meta:
        model = RoutingModel
        fields = [
            "version",
            "created_at",
            "trained_by",
            "reason",
            "training_size",
            "sources",
            "metrics",
            "classes",
            "seconds",
            "active",
            "activated_at",
            "retired_at",
        ]

    def get_trained_by(self, model) -> str | None:
        user = model.trained_by
        return (user.full_name or user.username) if user else None


class ModelList(generics.ListAPIView):
    """派单模型的各个版本（新的在前），含交叉验证指标：top1、top3、macro_f1、ece（校准误差）、coverage（概率达到
    阈值的比例）、accuracy_above（其中的准确率）。"""

    serializer_class = RoutingModelOut

    def get_queryset(self):
        require(self.request.user, Perm.DISPATCH_CASES)
        return RoutingModel.objects.select_related("trained_by").defer("blob", "semantic").order_by("-version")


class Train(APIView):
    @extend_schema(request=None, responses={201: RoutingModelOut}, summary="用现行清单和已派单办件训练新版本并启用")
    def post(self, request):
        require(request.user, Perm.MANAGE_GRIDS)
        model = actions.train_routing_model(by=request.user, reason=Reason.MANUAL)
        return Response(RoutingModelOut(model).data, status=status.HTTP_201_CREATED)


class Rollback(APIView):
    @extend_schema(request=None, responses=RoutingModelOut, summary="回滚到上一版本")
    def post(self, request):
        require(request.user, Perm.MANAGE_GRIDS)
        return Response(RoutingModelOut(actions.rollback_routing_model(by=request.user)).data)


urlpatterns = [
    re_path(r"^suggest/?$", Suggest.as_view(), name="api-routing-suggest"),
    re_path(r"^models/?$", ModelList.as_view(), name="api-routing-models"),
    re_path(r"^models/train/?$", Train.as_view(), name="api-routing-train"),
    re_path(r"^models/rollback/?$", Rollback.as_view(), name="api-routing-rollback"),
]
