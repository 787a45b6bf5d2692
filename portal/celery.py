import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from portal.request_id import add_request_id_to_task, enter_task, leave_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id travels with the tasks a request queues (portal/request_id.py).
before_task_publish.connect(add_request_id_to_task, weak=False)
task_prerun.connect(enter_task, weak=False)
task_postrun.connect(leave_task, weak=False)
