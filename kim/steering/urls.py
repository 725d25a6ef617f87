"""Steering routes under /steuerung/: bodies, meetings, minutes and decisions
(views/bodies.py), topics and the topic board (views/topics.py)."""

from kim.steering.views import bodies, topics

app_name = "steering"

urlpatterns = [*bodies.urlpatterns, *topics.urlpatterns]
