"""Form helpers: Bootstrap classes on every widget and HTML date inputs."""

from django import forms
from django.core.exceptions import ValidationError

from .errors import DomainError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class StyledForm:
    """Mixin: give widgets Bootstrap classes and mark invalid fields after validation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.DateInput) and not isinstance(widget, DateInput):
                field.widget = widget = DateInput(attrs=widget.attrs)
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"
                widget.attrs["aria-invalid"] = "true"


def show_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a DomainError on the field it names, or on the form as a whole."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def run_action(form: forms.BaseForm, action, *args, **kwargs):
    """Call an action; show its DomainError or ValidationError on the form and return None instead."""
    try:
        return action(*args, **kwargs)
    except DomainError as error:
        show_error(form, error)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form.add_error(None, error.messages)
    return None


def querystring_base(request) -> str:
    """The current query string without `page` (and `export`), ending in & so a page number can follow."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""
