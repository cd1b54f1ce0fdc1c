"""自助申报 and 办件查询 on the kiosk: matters, guide, identify, 人证比对, form, capture, review, notice, progress."""
