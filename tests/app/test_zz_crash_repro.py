import gc, threading, weakref
from PySide6.QtCore import QPointF, QCoreApplication, QEvent
from app import create_main_window

def test_gc_in_other_thread(qtbot, fresh_settings):
    w = create_main_window(model="tiny-gpt")
    with qtbot.waitSignal(w.model_loaded, timeout=60000):
        pass
    w.show()
    heat = w.attention.heatmap
    heat.scene().sigMouseMoved.emit(QPointF(10, 10))
    w.close()
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    del w, heat
    t = threading.Thread(target=gc.collect)
    t.start(); t.join()
