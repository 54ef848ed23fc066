"""Routes for sending SMS from the kanban board (card quick send and bulk send)."""

urlpatterns = []
