"""The compliance app keeps no data: it reads every other app's live state."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplianceStatus(models.Model):  # noqa: DJ008 (no rows, so nothing to name)
    """No table: it only carries the permission to see the live compliance page, given to the
    privacy officer (개인정보 보호책임자) in ``staff.roles``."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_compliance_status", _("Can view the live compliance status"))]
        verbose_name = _("compliance status")
