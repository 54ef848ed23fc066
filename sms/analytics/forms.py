"""The SMS Analytics range: from and to dates (inclusive), at most a year."""

import datetime as dt

from django import forms
from django.utils import timezone

DEFAULT_DAYS = 30
MAX_DAYS = 366


class RangeForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def default_range() -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", f"Choose at most {MAX_DAYS} days.")
        return cleaned

    def chosen_range(self) -> tuple[dt.date, dt.date]:
        """The valid range typed in, else the last 30 days."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default_range()
