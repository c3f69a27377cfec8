from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from .roles import DEFAULT_SCOPE, ROLE_PERMISSIONS, Role, Scope


class User(AbstractUser):
    """A platform account. Real name and the person record it belongs to, if any."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    person = models.OneToOneField(
        "orgs.Person",
        verbose_name="对应人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        help_text="数据范围为“仅本人”时，以此人员判断本人数据",
    )
    failed_login_count = models.PositiveSmallIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))

    def role_assignments(self) -> list[RoleAssignment]:
        """Cached on the instance: every permission and scope check of a request reads them."""
        cached = getattr(self, "_role_assignments", None)
        if cached is None:
            cached = list(self.roles.select_related("unit").prefetch_related("custom_units"))
            self._role_assignments = cached
        return cached

    def role_codes(self) -> set[str]:
        return {a.role for a in self.role_assignments()}

    def can(self, perm: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return any(perm in ROLE_PERMISSIONS.get(a.role, ()) for a in self.role_assignments())


class RoleAssignment(models.Model):
    """One role of a user, anchored on a unit, with the data scope it grants."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="“本级及下级”“本单位”按此单位计算",
    )
    scope = models.CharField("数据范围", max_length=10, choices=Scope.choices)
    custom_units = models.ManyToManyField(
        "orgs.Unit", verbose_name="自定义单位", blank=True, related_name="+", help_text="数据范围为“自定义”时有效"
    )
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_per_unit")]

    def __str__(self) -> str:
        unit = f"（{self.unit}）" if self.unit_id else ""
        return f"{self.get_role_display()}{unit} · {self.get_scope_display()}"

    def save(self, *args, **kwargs):
        if not self.scope:
            self.scope = DEFAULT_SCOPE[self.role]
        super().save(*args, **kwargs)


class LoginLog(models.Model):
    """Every login attempt, successful or not, and every logout."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "登录成功"
        BAD_PASSWORD = "bad_password", "用户名或密码错误"
        LOCKED = "locked", "账号已锁定"
        INACTIVE = "inactive", "账号已停用"
        LOGOUT = "logout", "退出登录"

    username = models.CharField("用户名", max_length=150, db_index=True)
    user = models.ForeignKey(User, verbose_name="账号", null=True, blank=True, on_delete=models.SET_NULL)
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "登录日志"

    def __str__(self) -> str:
        return f"{self.username} {self.get_outcome_display()} {self.at:%Y-%m-%d %H:%M}"


class OperationLog(models.Model):
    """Who did what to which object, when and from where; includes every view of full personal data."""

    user = models.ForeignKey(User, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField("操作", max_length=50, db_index=True)
    target = models.CharField("对象", max_length=200, blank=True)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象ID", max_length=50, blank=True)
    detail = models.TextField("详情", blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "操作日志"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.target}"
