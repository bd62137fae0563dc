from django.http import Http404


def extension_queue(request):  # placeholder until the toets helper lands its module
    raise Http404


def extension_decide(request, pk):
    raise Http404
