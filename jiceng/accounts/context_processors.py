from django.urls import reverse

from .roles import Perm

# (group, label, url name, icon, permission, a tuple of permissions any of which will do, or None)
NAV = [
    ("", "首页", "home", "house", None),
    ("机构人员", "行政区划", "orgs:regions", "map", Perm.VIEW_ORGS),
    ("机构人员", "单位", "orgs:units", "diagram-3", Perm.VIEW_ORGS),
    ("机构人员", "人员", "orgs:people", "people", Perm.VIEW_ORGS),
    ("机构人员", "岗位与AB岗", "orgs:posts", "person-badge", Perm.VIEW_ORGS),
    ("机构人员", "请假外出", "orgs:absences", "calendar-x", Perm.VIEW_ORGS),
    ("机构人员", "在岗缺口", "orgs:gaps", "exclamation-triangle", Perm.VIEW_ORGS),
    ("机构编制", "编制台账", "staffing:report", "clipboard-data", Perm.VIEW_STAFFING),
    ("机构编制", "编制分析", "staffing:analysis", "bar-chart", Perm.VIEW_STAFFING),
    ("机构编制", "用编核准", "staffing:requests", "person-plus", Perm.VIEW_STAFFING),
    ("机构编制", "编制调剂", "staffing:moves", "arrow-left-right", Perm.VIEW_STAFFING),
    ("机构编制", "机构改革方案", "staffing:plans", "diagram-2", Perm.VIEW_STAFFING),
    ("机构编制", "台账导入", "staffing:import", "upload", Perm.MANAGE_STAFFING),
    ("办件工单", "办件查询", "cases:list", "search", Perm.VIEW_CASES),
    ("办件工单", "窗口受理", "cases:window", "window-desktop", Perm.REGISTER_CASES),
    ("办件工单", "代办点", "cases:agent", "house-heart", Perm.REGISTER_CASES),
    ("办件工单", "网格上报", "cases:grid", "camera", Perm.REGISTER_CASES),
    ("办件工单", "乡呼县应", "cases:call", "megaphone", Perm.REGISTER_CASES),
    ("办件工单", "指挥中心", "cases:command", "broadcast", Perm.DISPATCH_CASES),
    ("办件工单", "智能派单", "routing:models", "cpu", Perm.DISPATCH_CASES),
    ("办件工单", "12345工单导入", "cases:hotline", "telephone-inbound", Perm.DISPATCH_CASES),
    ("办件工单", "单位工作台", "cases:workbench", "inboxes", Perm.HANDLE_CASES),
    ("办件工单", "督办与考评", "cases:leaders", "speedometer2", Perm.VIEW_CASES),
    ("网格", "网格地图", "grids:map", "map", Perm.VIEW_GRIDS),
    ("网格", "网格台账", "grids:list", "grid-3x3", Perm.VIEW_GRIDS),
    ("网格", "巡查", "grids:patrols", "person-walking", Perm.PATROL),
    ("网格", "巡查记录", "grids:patrols_all", "list-ul", Perm.VIEW_GRIDS),
    ("网格", "巡查覆盖", "grids:patrol_coverage", "clipboard-check", Perm.VIEW_GRIDS),
    ("网格", "多网合一", "grids:merge_plans", "intersect", (Perm.MANAGE_GRIDS, Perm.APPROVE_GRID_MERGE)),
    ("网格", "网格导入", "grids:import", "upload", Perm.MANAGE_GRIDS),
    ("职责清单", "职责清单", "catalog:matters", "list-check", Perm.VIEW_CATALOG),
    ("职责清单", "赋权事项", "catalog:powers", "box-arrow-in-down", Perm.VIEW_CATALOG),
    ("职责清单", "清单外事项准入", "catalog:admissions", "shield-check", Perm.VIEW_CATALOG),
    ("职责清单", "办事指南（公开）", "public:guide", "signpost", None),
    ("工具与系统", "工作日计算", "workcal:calculator", "calendar3", None),
    ("工具与系统", "节假日维护", "workcal:holidays", "calendar-check", Perm.CHANGE_CALENDAR),
    ("工具与系统", "日志审计", "accounts:logs", "journal-text", Perm.VIEW_LOGS),
    ("工具与系统", "角色与权限", "accounts:roles", "shield-lock", Perm.VIEW_ORGS),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"group": group, "label": label, "url": reverse(name), "icon": icon, "active": False}
        for group, label, name, icon, perm in NAV
        if perm is None or any(user.can(p) for p in (perm if isinstance(perm, tuple) else (perm,)))
    ]
    # The item whose address is the longest prefix of the current path is the active one.
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {
        "nav_items": items,
        "can_admin": user.can(Perm.MANAGE_USERS),
        "user_roles": sorted({a.get_role_display() for a in user.role_assignments()}),
    }
