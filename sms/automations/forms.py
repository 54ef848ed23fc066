"""The automation rule form: "When a candidate enters *stage*, send *template* after *delay*"."""

from django import forms
from django.db.models import Q

from candidates.models import DEFAULT_STAGES
from sms.automation_models import MAX_DELAY_MINUTES, AutomationRule
from sms.models import SmsTemplate
from sms.text.fill_ins import blanks

UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}


class AutomationRuleForm(forms.ModelForm):
    delay_amount = forms.IntegerField(label="After", min_value=0, initial=0)
    delay_unit = forms.ChoiceField(
        label="Unit",
        choices=[(unit, unit.capitalize()) for unit in UNITS],
        initial="minutes",
    )

    class Meta:
        model = AutomationRule
        fields = ["stage", "stage_name", "template", "name", "is_enabled", "cancel_if_reply"]
        labels = {"stage": "When a candidate enters", "stage_name": "When a candidate enters"}
        help_texts = {
            "cancel_if_reply": "A reply from the candidate before it goes out cancels it.",
            "name": "Shown on the timeline: “Automated SMS queued by rule …”. Leave it empty to "
            "use the template's name.",
        }

    def __init__(self, *args, job=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        self.instance.job = job  # the constraints are checked with the rest of the form
        # Shared templates, and for a job's rule the user's own personal ones (never another
        # user's: they are private). Translations are picked by language, not here.
        visible = Q(owner__isnull=True)
        if job is not None and user is not None:
            visible |= Q(owner=user)
        self.fields["template"].queryset = SmsTemplate.objects.filter(
            visible, is_active=True, translation_of__isnull=True
        ).order_by("name")
        self.fields["template"].label = "Send"
        self.fields["template"].empty_label = "Choose a template…"
        self.fields["name"].required = False
        if job is not None:
            self.fields["stage"].queryset = job.stages.order_by("position")
            self.fields["stage"].required = True
            self.fields["stage"].empty_label = None
            self.fields["stage"].label_from_instance = lambda stage: stage.name
            del self.fields["stage_name"]
        else:
            del self.fields["stage"]
            self.fields["stage_name"] = forms.ChoiceField(
                label="When a candidate enters a stage named",
                choices=[(name, name) for name in DEFAULT_STAGES],
            )
        minutes = self.instance.delay_minutes if self.instance.pk else 0
        for unit in ("days", "hours", "minutes"):
            if minutes and minutes % UNITS[unit] == 0:
                self.initial.setdefault("delay_amount", minutes // UNITS[unit])
                self.initial.setdefault("delay_unit", unit)
                break

    def clean_template(self):
        template = self.cleaned_data["template"]
        left = blanks(template.body) if template else []
        if left:
            names = ", ".join("{" + name + "}" for name in left)
            raise forms.ValidationError(
                f"“{template.name}” has blanks to fill in ({names}); an automated text has "
                "nobody to fill them. Choose a template without blanks."
            )
        return template

    def clean(self):
        data = super().clean()
        if not (data.get("name") or "").strip() and data.get("template") is not None:
            data["name"] = data["template"].name
            self.instance.name = data["name"]
        amount, unit = data.get("delay_amount"), data.get("delay_unit")
        if amount is not None and unit in UNITS:
            minutes = amount * UNITS[unit]
            if minutes > MAX_DELAY_MINUTES:
                self.add_error("delay_amount", "The delay can be at most 14 days.")
            else:
                self.instance.delay_minutes = minutes
        return data

    def save(self, commit=True):
        rule = super().save(commit=False)
        rule.job = self.job
        if self.job is None:
            rule.stage = None
        else:
            rule.stage_name = ""
        if commit:
            rule.save()
        return rule
