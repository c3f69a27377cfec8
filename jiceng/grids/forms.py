"""Forms of the grid pages: the register's filters, the map's choices and the two uploads."""

from __future__ import annotations

from django import forms

from jiceng.lib.forms import StyledForm
from jiceng.orgs.models import Region

from .models import COMPREHENSIVE_LAYER, Grid, GridKind

MAX_UPLOAD = 20 * 1024 * 1024


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.parent.name} {obj.name}" if obj.parent_id else obj.name


def township_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="乡镇（街道）",
        queryset=Region.objects.townships().order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="全部乡镇（街道）",
    )


class GridFilterForm(StyledForm, forms.Form):
    q = forms.CharField(
        label="编码、名称、村（社区）或网格员",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "编码、名称、村居或网格员"}),
    )
    township = township_field()
    village = VillageChoiceField(
        label="村（社区）",
        queryset=Region.objects.villages().select_related("parent").order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="全部村（社区）",
    )
    kind = forms.ChoiceField(label="类型", choices=[("", "全部类型"), *GridKind.choices], required=False)
    layer = forms.ChoiceField(label="图层", required=False)
    active = forms.ChoiceField(label="状态", choices=[("", "全部状态"), ("1", "在用"), ("0", "停用")], required=False)

    def __init__(self, *args, grids=None, **kwargs):
        """`grids`: the grids the user may see; the township and village lists then offer only theirs."""
        super().__init__(*args, **kwargs)
        if grids is not None:
            towns, villages = self.fields["township"], self.fields["village"]
            towns.queryset = towns.queryset.filter(pk__in=grids.values("village__parent"))
            villages.queryset = villages.queryset.filter(pk__in=grids.values("village"))
        layers = set(Grid.objects.order_by().values_list("layer", flat=True).distinct()) | {COMPREHENSIVE_LAYER}
        ordered = [COMPREHENSIVE_LAYER, *sorted(layers - {COMPREHENSIVE_LAYER})]
        self.fields["layer"].choices = [("", "全部图层"), *((name, name) for name in ordered)]


class MapForm(StyledForm, forms.Form):
    MEASURES = [("open", "在办件数"), ("overdue", "超期件数")]

    township = township_field()
    measure = forms.ChoiceField(label="着色依据", choices=MEASURES, required=False)
    case = forms.CharField(label="办件查询码", required=False, max_length=16)
    grid = forms.CharField(label="网格编码", required=False, max_length=15)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)

    def clean_measure(self) -> str:
        return self.cleaned_data.get("measure") or "open"


class UploadForm(StyledForm, forms.Form):
    """One file of the expected kind, not too large for one import."""

    suffixes: tuple[str, ...] = ()
    kind = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(self.suffixes):
            raise forms.ValidationError(f"请上传{self.kind}文件（{'、'.join(self.suffixes)}）。")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过20MB，请分批导入。")
        return upload


class GridFileForm(UploadForm):
    suffixes = (".geojson", ".json")
    kind = "GeoJSON"

    file = forms.FileField(label="网格范围文件（.geojson）")
    layer = forms.CharField(
        label="图层",
        initial=COMPREHENSIVE_LAYER,
        max_length=20,
        help_text="综合网格填“综合”（办件按综合网格定位）；部门网格填综治、城管、安监、环保等。",
    )


class MemberFileForm(UploadForm):
    suffixes = (".xlsx",)
    kind = "Excel"

    file = forms.FileField(label="网格员文件（.xlsx）")
