"""The demo community: a deterministic plan of a realistic community and its loader, with the
`shequ demo` command. It sits above every domain app, which is why it is an app of its own."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class DemoConfig(appconfig.ShequAppConfig):
    name = "shequ.demo"
    label = "demo"
    verbose_name = _("Demo community")
