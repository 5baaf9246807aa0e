"""What the web app says, in Vietnamese: field labels, review reasons, statuses."""

from __future__ import annotations

from records.layouts import FIELD_LABELS, Layout, ledger

KIND_LABELS = {"birth": "Khai sinh", "death": "Khai tử", "marriage": "Kết hôn"}
STATUS_LABELS = {
    "auto_accepted": "Tự động chấp nhận",
    "needs_review": "Chờ duyệt",
    "reviewed": "Đã duyệt",
    "rejected": "Đã loại",
}
ROLE_LABELS = {"reviewer": "Người duyệt", "officer": "Cán bộ", "admin": "Quản trị"}
# What the audit and access logs record, as a person reads it.
ACTION_LABELS = {
    "edit": "sửa",
    "save": "lưu",
    "accept": "chấp nhận",
    "reject": "loại",
    "refused": "từ chối giá trị",
    "reopen": "mở lại để duyệt",
    "same_person": "cùng một người",
    "different_person": "khác người",
    "record": "mở hồ sơ",
    "search": "tra cứu",
    "scan": "xem ảnh quét",
    "extract": "in trích lục",
    "export": "xuất dữ liệu",
    "queue": "xem hàng chờ",
    "keyed_first": "nhập lần một (nhập hai lần)",
    "keyed_second": "nhập lần hai (nhập hai lần)",
    "keyings_disagree": "hai lần nhập khác nhau",
    "book_double_entry": "đặt chế độ nhập hai lần của sổ",
}
ISSUES = {
    "low_confidence": "máy đọc không chắc chắn",
    "missing": "bị bỏ trống",
    "invalid_syllable": "có âm tiết không phải tiếng Việt (có thể đọc sai)",
    "single_syllable": "tên chỉ có một âm tiết",
    "digits_in_name": "tên có chữ số",
    "unexpected_character": "có ký tự lạ",
    "ocr_substitution": "đã sửa chữ/số đọc nhầm (0/O, 1/l)",
    "unusual_name": "họ và tên hiếm gặp",
    "tone_unsure": "dấu thanh có thể bị đọc nhầm (vd. Ưng/Ửng)",
    "suggestion": "máy đọc được một giá trị hợp lệ; có gợi ý khác hay gặp hơn (F3 để dùng)",
    "missing_diacritics": "tên viết không dấu",
    "remark_in_name": "đã bỏ ghi chú trong ngoặc khỏi tên",
    "title_in_name": "đã bỏ danh xưng (Ông/Bà…) trước tên",
    "several_names": "ô có nhiều tên",
    "approximate_date": "ngày tháng ước chừng",
    "legacy_encoding": "đã chuyển từ bảng mã cũ (TCVN3/VNI/VIQR), cần kiểm tra",
    "lost_letter": "bảng mã cũ bị mất chữ (thường là ư)",
    "lookalike_letter": "có chữ cái Kirin/Hy Lạp giống chữ Latinh",
    "invalid_date": "ngày tháng không có thật",
    "unparsed_date": "không đọc được ngày tháng",
    "unparsed_date_part": "không đọc được một phần ngày tháng",
    "date_words_mismatch": "ngày ghi bằng số và bằng chữ không khớp",
    "two_digit_year": "năm chỉ có hai chữ số",
    "year_out_of_range": "năm không hợp lý",
    "lunar_date": "ngày âm lịch, đã đổi sang dương lịch — cần kiểm tra",
    "lunar_partial": "ngày âm lịch không đủ ngày tháng",
    "invalid_time": "giờ không hợp lệ",
    "invalid_sex": "giới tính không phải Nam/Nữ",
    "invalid_number": "số đăng ký không hợp lệ",
    "unknown_ethnicity": "không thuộc 54 dân tộc",
    "registered_before_birth": "ngày đăng ký trước ngày sinh",
    "registered_before_death": "ngày đăng ký trước ngày chết",
    "death_before_birth": "ngày chết trước ngày sinh",
    "not_in_book_year": "ngày đăng ký không thuộc năm của sổ",
    "sex_name_mismatch": "giới tính không hợp với tên đệm (Thị/Văn)",
    "number_gap": "số đăng ký bị nhảy số",
    "number_repeated": "số đăng ký bị trùng trong sổ",
    "header_mismatch": "tiêu đề cột không khớp loại sổ",
    "possible_duplicate": "có thể trùng với bản ghi đã có",
    "illegible": "không đọc được",
    "partial_diacritics": "tên có chữ có dấu, chữ không dấu (có thể gõ hoặc đọc thiếu dấu)",
    "lunar_cycle_year": "năm âm lịch ghi theo can chi (lặp lại mỗi 60 năm): cần kiểm tra năm",
    "wrong_field": "giá trị có vẻ thuộc ô khác (ngày tháng gõ vào ô tên, nơi…)",
    "unparsed": "không đọc được giá trị đã gõ",
    "refused": "giá trị đã gõ bị từ chối, giá trị cũ được giữ",
    "reopened": "cán bộ mở lại để duyệt",
    "handwritten": "viết tay: nhập theo ảnh",
    "date_words_disagree": "ngày sinh ghi bằng số và bằng chữ là hai ngày khác nhau",
    "invalid_count": "số lần kết hôn không hợp lệ",
    "second_keying": "sổ nhập hai lần: chờ người thứ hai nhập độc lập (không xem lần nhập trước)",
    "keyings_disagree": "hai lần nhập khác nhau",
}


def describe_reason(reason: str, shape: Layout | str | None = None) -> str:
    """``invalid_date:birth_date`` → ``Ngày, tháng, năm sinh: ngày tháng không có thật``."""
    issue, _, field = reason.partition(":")
    text = ISSUES.get(issue, issue)
    if issue == "possible_duplicate":
        return f"{text} ({field})"
    layout = ledger(shape) if isinstance(shape, str) else shape  # a kind: its ledger's labels
    label = (layout.labels() if layout else FIELD_LABELS).get(field) or FIELD_LABELS.get(field)
    return f"{label}: {text}" if label else text
