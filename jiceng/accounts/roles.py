"""Roles, their permissions and their default data scopes: the one table that says who may do what."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    STAFFING = "staffing", "县编办"
    DEPARTMENT = "department", "县直部门"
    DISPATCHER = "dispatcher", "指挥中心派单员"
    TOWNSHIP_LEADER = "township_leader", "乡镇领导"
    OFFICE_HEAD = "office_head", "办/中心主任"
    WINDOW_CLERK = "window_clerk", "窗口人员"
    AGENT = "agent", "代办员"
    GRID_WORKER = "grid_worker", "网格员"


class Scope(models.TextChoices):
    ALL = "all", "全部"
    SUBTREE = "subtree", "本级及下级"
    UNIT = "unit", "本单位"
    SELF = "self", "仅本人"
    CUSTOM = "custom", "自定义"


class Perm(models.TextChoices):
    VIEW_ORGS = "orgs.view", "查看区划、单位、人员、岗位"
    CHANGE_UNIT = "orgs.change_unit", "新增和修改单位、加挂牌子、变更单位状态"
    CHANGE_PERSON = "orgs.change_person", "新增和修改人员"
    VIEW_PERSON_PII = "orgs.view_pii", "查看完整身份证号和手机号（逐次留痕）"
    CHANGE_POST = "orgs.change_post", "设置岗位与AB岗"
    CHANGE_ABSENCE = "orgs.change_absence", "登记请假、出差、培训、借调"
    VIEW_STAFFING = "staffing.view", "查看编制台账和空编报表"
    REQUEST_STAFFING = "staffing.request", "提出用编申请、拟定改革方案"
    MANAGE_STAFFING = "staffing.manage", "核定编制、调剂、核准用编、进编出编、批准和实施改革方案、导入台账"
    VIEW_CATALOG = "catalog.view", "查看职责清单、赋权事项（内部）"
    CHANGE_CATALOG = "catalog.change", "维护职责清单、赋权事项，审核清单外事项准入"
    REQUEST_ADMISSION = "catalog.request", "提出清单外事项准入申请"
    VIEW_CASES = "cases.view", "查看办件工单（按数据范围）"
    REGISTER_CASES = "cases.register", "登记办件（窗口受理、代办、网格上报、乡呼）"
    HANDLE_CASES = "cases.handle", "签收、退单、补正、申请延期、办结本单位的办件"
    DISPATCH_CASES = "cases.dispatch", "派单、改派、指定承办、审批延期"
    VIEW_GRIDS = "grids.view", "查看网格及网格员"
    MANAGE_GRIDS = "grids.manage", "维护网格（导入范围、网格员），拟定和提交多网合一方案"
    APPROVE_GRID_MERGE = "grids.approve_merge", "审批多网合一方案"
    PATROL = "grids.patrol", "网格巡查（开始、结束巡查，上报巡查发现）"
    CHANGE_CALENDAR = "workcal.change", "维护节假日表"
    MANAGE_USERS = "accounts.manage", "管理账号与角色"
    VIEW_LOGS = "accounts.view_logs", "查看登录日志和操作日志"


P = Perm
# Every staff role reads the catalog and the grids and sees the cases in its scope.
EVERY_STAFF_ROLE = frozenset({P.VIEW_ORGS, P.VIEW_CATALOG, P.VIEW_CASES, P.VIEW_GRIDS})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Unit changes move quotas and seats: that is the staffing office's, not the system administrator's.
    Role.ADMIN: EVERY_STAFF_ROLE | {P.CHANGE_CALENDAR, P.MANAGE_USERS, P.VIEW_LOGS},
    Role.STAFFING: EVERY_STAFF_ROLE
    | {
        P.CHANGE_UNIT,
        P.CHANGE_PERSON,
        P.VIEW_PERSON_PII,
        P.CHANGE_POST,
        P.CHANGE_ABSENCE,
        P.VIEW_LOGS,
        P.VIEW_STAFFING,
        P.REQUEST_STAFFING,
        P.MANAGE_STAFFING,
        P.CHANGE_CATALOG,
        P.REQUEST_ADMISSION,
        P.APPROVE_GRID_MERGE,
    },
    Role.DEPARTMENT: EVERY_STAFF_ROLE
    | {
        P.CHANGE_POST,
        P.CHANGE_ABSENCE,
        P.VIEW_STAFFING,
        P.REQUEST_STAFFING,
        P.REQUEST_ADMISSION,
        P.HANDLE_CASES,
    },
    # The command centre (县社会治理综合指挥中心) keeps the grid layer.
    Role.DISPATCHER: EVERY_STAFF_ROLE | {P.DISPATCH_CASES, P.REGISTER_CASES, P.MANAGE_GRIDS},
    Role.TOWNSHIP_LEADER: EVERY_STAFF_ROLE
    | {
        P.VIEW_PERSON_PII,
        P.CHANGE_POST,
        P.CHANGE_ABSENCE,
        P.VIEW_STAFFING,
        P.REQUEST_STAFFING,
        P.HANDLE_CASES,
        P.REGISTER_CASES,
    },
    Role.OFFICE_HEAD: EVERY_STAFF_ROLE | {P.CHANGE_POST, P.CHANGE_ABSENCE, P.VIEW_STAFFING, P.HANDLE_CASES},
    Role.WINDOW_CLERK: EVERY_STAFF_ROLE | {P.HANDLE_CASES, P.REGISTER_CASES},
    Role.AGENT: EVERY_STAFF_ROLE | {P.REGISTER_CASES},
    Role.GRID_WORKER: EVERY_STAFF_ROLE | {P.REGISTER_CASES, P.PATROL},
}

# The scope a new assignment of the role gets unless the administrator chooses another.
DEFAULT_SCOPE: dict[str, str] = {
    Role.ADMIN: Scope.ALL,
    Role.STAFFING: Scope.ALL,
    Role.DEPARTMENT: Scope.SUBTREE,
    Role.DISPATCHER: Scope.ALL,
    Role.TOWNSHIP_LEADER: Scope.SUBTREE,
    Role.OFFICE_HEAD: Scope.SUBTREE,
    Role.WINDOW_CLERK: Scope.UNIT,
    Role.AGENT: Scope.SELF,
    Role.GRID_WORKER: Scope.SELF,
}
