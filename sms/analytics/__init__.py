"""Administration → SMS Analytics: per day over a chosen range, sent, delivered, failed,
replies and opt-outs with delivery and reply rates, by recruiter, template, job and provider;
charts (Chart.js, served from static/vendor) drawn from the accessible tables, and CSV export.

`figures.py` computes everything in a fixed number of aggregate queries (`make bench` measures
it at 200,000 messages); `views.py` renders it or writes it as CSV."""
